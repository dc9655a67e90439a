Set-StrictMode -Version Latest

# The SDK-named modules generated from the catalog: discovery, #Requires, Import-Module,
# help, Find-MgGraphCommand and Select-MgProfile, as scripts written for the SDK use them.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
    $script:ModuleRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
    Import-Module (Join-Path $script:ModuleRoot 'MgGraph/MgGraph.psd1') -Force
    $script:Sep = [IO.Path]::PathSeparator

    function Invoke-ChildPwsh {
        # Runs a script in a fresh pwsh whose module path starts with the checkout's module/.
        param([string] $Script)
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-sdk-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value $Script
        try {
            $env:PSModulePath_Saved = $env:PSModulePath
            $out = pwsh -NoProfile -NonInteractive -Command "`$env:PSModulePath = '$($script:ModuleRoot)$($script:Sep)' + `$env:PSModulePath; & '$file'" 2>&1
            [pscustomobject]@{ Exit = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }) }
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe 'SDK module names' {
    It 'every generated manifest is valid and loads the core (Microsoft.Graph.Authentication) first' {
        $manifests = Get-ChildItem $script:ModuleRoot -Directory -Filter 'Microsoft.Graph*' |
            ForEach-Object { Join-Path $_.FullName "$($_.Name).psd1" }
        $manifests.Count | Should -BeGreaterThan 5
        foreach ($m in $manifests) {
            $data = Import-PowerShellDataFile $m
            $leaf = Split-Path $m -Leaf
            if ($leaf -notin 'Microsoft.Graph.Authentication.psd1', 'Microsoft.Graph.psd1', 'Microsoft.Graph.Beta.psd1') {
                # The core's assembly before the root module (its cmdlets derive from it); the
                # root module's initializer imports the core module itself (CoreModule.cs).
                @($data.RequiredAssemblies)[0] | Should -Be '../Microsoft.Graph.Authentication/bin/MgGraph.Core.dll' -Because $m
                $data.ContainsKey('RequiredModules') | Should -BeFalse -Because $m
            }
            $data.FunctionsToExport | Should -Not -Contain '*' -Because $m
            # A wildcard only as the first entry of a large module's list, before every name
            # (catalog::modules::EXPORT_WILDCARD_MIN_CMDLETS): never instead of the names.
            $cmdlets = @($data.CmdletsToExport)
            @($cmdlets | Select-Object -Skip 1) | Should -Not -Contain '*' -Because $m
            if ($cmdlets.Count -gt 0 -and $cmdlets[0] -eq '*') { $cmdlets.Count | Should -BeGreaterThan 800 -Because $m }
        }
    }

    It 'a large module (''*'' before its names) is found by command discovery with no analysis cache, and exports exactly its names' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModuleRoot 'Microsoft.Graph.Files/Microsoft.Graph.Files.psd1')
        $manifest.CmdletsToExport[0] | Should -Be '*'
        $names = @($manifest.CmdletsToExport | Select-Object -Skip 1)
        $cache = Join-Path ([IO.Path]::GetTempPath()) "mggraph-analysis-$([guid]::NewGuid().ToString('n'))"
        $env:PSModuleAnalysisCachePath = $cache
        try {
            # A fresh process with no analysis cache at all (a first session, or a runbook's
            # sandbox): listing, tab completion and auto-loading read the names after '*'.
            $r = Invoke-ChildPwsh @'
$ErrorActionPreference = 'Stop'
(Get-Module -ListAvailable Microsoft.Graph.Files).ExportedCmdlets.Count
(TabExpansion2 'Get-MgDriveItemWorkbookFunctionE' 31).CompletionMatches.CompletionText
(Get-Command Get-MgDriveItem).ModuleName
@(Get-Module Microsoft.Graph.Files).Count
'@
        }
        finally {
            Remove-Item Env:PSModuleAnalysisCachePath
            Remove-Item $cache -Force -ErrorAction SilentlyContinue
        }
        $r.Exit | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Be @("$($names.Count)", 'Get-MgDriveItemWorkbookFunctionError', 'Microsoft.Graph.Files', '1')
        # Imported, it exports the listed names and nothing else.
        $module = Import-Module (Join-Path $script:ModuleRoot 'Microsoft.Graph.Files/Microsoft.Graph.Files.psd1') -PassThru -ErrorAction Stop
        @(Compare-Object @($module.ExportedCmdlets.Keys) $names).Count | Should -Be 0
    }

    It 'a script with #Requires -Modules Microsoft.Graph.Users runs unchanged' {
        $r = Invoke-ChildPwsh @'
#Requires -Modules Microsoft.Graph.Users
$ErrorActionPreference = 'Stop'
Connect-MgGraph -Environment Sandbox -NoWelcome
(Get-MgUser -UserId admin@contoso.onmicrosoft.com).UserPrincipalName
(Get-Command Get-MgUser).Module.Name
'@
        $r.Exit | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Contain 'admin@contoso.onmicrosoft.com'
        $r.Output | Should -Contain 'Microsoft.Graph.Users'
    }

    It 'Import-Module Microsoft.Graph.Groups works under ErrorActionPreference Stop, and Get-Module -ListAvailable finds the SDK names' {
        $r = Invoke-ChildPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Groups
Import-Module Microsoft.Graph.Authentication
(Get-Module Microsoft.Graph.Groups).ExportedCmdlets.ContainsKey('Get-MgGroup')
@(Get-Module -ListAvailable Microsoft.Graph*).Name -contains 'Microsoft.Graph.Identity.SignIns'
@(Get-Module -ListAvailable Microsoft.Graph.*).Name -contains 'Microsoft.Graph.Beta.Users'
'@
        $r.Exit | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output[-3..-1] | Should -Be @('True', 'True', 'True')
    }

    It 'importing an SDK-named module imports the core once per runspace, again after Remove-Module, and in a thread job''s runspace' {
        $r = Invoke-ChildPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Users
@(Get-Module Microsoft.Graph.Authentication).Count
(Get-Command Connect-MgGraph).Source
Import-Module Microsoft.Graph.Groups, Microsoft.Graph.Beta.Users
@(Get-Module Microsoft.Graph.Authentication).Count
Remove-Module Microsoft.Graph.Authentication
@(Get-Module Microsoft.Graph.Authentication).Count
Import-Module Microsoft.Graph.Users -Force
@(Get-Module Microsoft.Graph.Authentication).Count
Connect-MgGraph -Environment Sandbox -NoWelcome
(Get-MgUser -UserId admin@contoso.onmicrosoft.com).UserPrincipalName
Start-ThreadJob { Import-Module Microsoft.Graph.Applications; @(Get-Module Microsoft.Graph.Authentication).Count } | Receive-Job -Wait -AutoRemoveJob
'@
        $r.Exit | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output[-7..-1] | Should -Be @('1', 'Microsoft.Graph.Authentication', '1', '0', '1', 'admin@contoso.onmicrosoft.com', '1') -Because ($r.Output -join "`n")
    }

    It 'an SDK-named module whose core cannot be imported fails to import, naming the core, even under SilentlyContinue' {
        # A copy of Microsoft.Graph.Users and of the core whose root module is missing.
        $root = Join-Path ([IO.Path]::GetTempPath()) "mggraph-brokencore-$([guid]::NewGuid().ToString('n'))"
        try {
            New-Item -ItemType Directory -Path $root | Out-Null
            foreach ($m in 'Microsoft.Graph.Users', 'Microsoft.Graph.Authentication') { Copy-Item -Recurse (Join-Path $script:ModuleRoot $m) $root }
            $core = Join-Path $root 'Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psd1'
            (Get-Content $core -Raw).Replace("RootModule = 'bin/MgGraph.Core.dll'", "RootModule = 'bin/Missing.dll'") | Set-Content $core
            $r = Invoke-ChildPwsh (@'
$env:PSModulePath = '{0}' + [IO.Path]::PathSeparator + $env:PSModulePath
$ErrorActionPreference = 'SilentlyContinue'
Import-Module Microsoft.Graph.Users
"imported: $(@(Get-Module Microsoft.Graph.Users).Count)"
"$($Error[0])"
'@ -f $root)
            $r.Output | Should -Contain 'imported: 0' -Because ($r.Output -join "`n")
            ($r.Output -join "`n") | Should -Match ([regex]::Escape("importing its core module '$core' failed")) -Because ($r.Output -join "`n")
            ($r.Output -join "`n") | Should -Match 'Missing\.dll'
        }
        finally { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }
    }

    It 'the Microsoft.Graph meta-module imports every v1.0 module on one session' {
        $r = Invoke-ChildPwsh @'
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph
Connect-MgGraph -Environment Sandbox -NoWelcome
(Get-MgUser -Top 1 | Measure-Object).Count
@(Get-Module Microsoft.Graph.*).Count -gt 3
'@
        $r.Exit | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output[-2..-1] | Should -Be @('1', 'True')
    }
}

Describe 'Generated cmdlets' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -NoWelcome }
    AfterAll { Disconnect-MgGraph | Out-Null }

    It 'bind dynamic parameters with the SDK sets, types and aliases' {
        $c = Get-Command Set-MgUserLicense
        $c.Module.Name | Should -Be 'Microsoft.Graph.Users.Actions'
        @($c.ParameterSets.Name) | Should -Be @('AssignExpanded', 'Assign', 'AssignViaIdentityExpanded', 'AssignViaIdentity')
        $c.DefaultParameterSet | Should -Be 'AssignExpanded'
        $c.Parameters['BodyParameter'].Aliases | Should -Contain 'Body'
        # The SDK's type: the model's interface (a hashtable converts to it).
        $c.Parameters['AddLicenses'].ParameterType | Should -Be ([Microsoft.Graph.PowerShell.Models.IMicrosoftGraphAssignedLicense[]])
        $c.Parameters['WhatIf'] | Should -Not -BeNullOrEmpty
        (Get-Command Get-MgUserCount).Parameters['ConsistencyLevel'].ParameterSets['Get'].IsMandatory | Should -BeTrue
    }

    It 'an unknown parameter is refused by name before anything is sent' {
        { Get-MgUser -NoSuchParameter 1 -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'NoSuchParameter'*"
    }

    It 'a -BodyParameter member the model lacks is sent, as the SDK sends AdditionalProperties, and Graph''s answer names it' {
        $e = { New-MgUser -BodyParameter @{ displayName = 'x'; nickName = 'y' } -ErrorAction Stop } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match "Invalid property 'nickName'"
        $e.FullyQualifiedErrorId | Should -BeLike 'Request_BadRequest,*'
        # A value the model cannot convert is still refused before anything is sent.
        $e = { New-MgGroup -BodyParameter @{ displayName = 'g'; mailEnabled = @{ a = 1 }; securityEnabled = $true; mailNickname = 'g' } -ErrorAction Stop } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match 'mailEnabled is a System.Collections.Hashtable, not a boolean'
    }

    It 'Find-MgGraphCommand takes the SDK''s patterns: a regex over the whole name, -ApiVersion (alias -Profile) for commands too' {
        $found = @(Find-MgGraphCommand -Command '.*UserTodoList' -Profile beta)
        $found.Command | Should -Contain 'Get-MgBetaUserTodoList'
        $found | ForEach-Object { $_.APIVersion | Should -Be 'beta' }
        @(Find-MgGraphCommand -Command 'get-mguser').Command | Select-Object -Unique | Should -Be 'Get-MgUser'
        # v1.0 rows first, then by command, as the SDK sorts them.
        $rows = @(Find-MgGraphCommand -Uri '/users/{id}')
        $rows[0].APIVersion | Should -Be 'v1.0'
        $rows[-1].APIVersion | Should -Be 'beta'
        # The URI's {id} stands for a key, not for /users/delta() or /users/$count.
        @($rows | Where-Object APIVersion -EQ 'v1.0').Command | Sort-Object -Unique | Should -Be @('Get-MgUser', 'Remove-MgUser', 'Update-MgUser')
    }

    It 'Planner updates and deletes take a mandatory -IfMatch, as in the SDK (Graph requires the ETag)' {
        foreach ($name in 'Update-MgPlannerTask', 'Update-MgPlannerTaskDetail', 'Remove-MgPlannerTask', 'Update-MgBetaPlannerPlan') {
            $p = (Get-Command $name).Parameters['IfMatch']
            $p | Should -Not -BeNullOrEmpty -Because $name
            @($p.ParameterSets.Values | Where-Object { -not $_.IsMandatory }).Count | Should -Be 0 -Because $name
        }
        (Get-Command Remove-MgUser).Parameters['IfMatch'].ParameterSets.Values.IsMandatory | Should -Not -Contain $true
    }

    It '$count answers a number' {
        $n = Get-MgUserCount -ConsistencyLevel eventual
        $n | Should -BeOfType [int]   # as the SDK: a $count is typed and written Int32
        $n | Should -Be @(Get-MgUser -All).Count
    }

    It 'beta twins call /beta' {
        $r = Get-Command Get-MgBetaUser
        $r.Module.Name | Should -Be 'Microsoft.Graph.Beta.Users'
        $debug = Get-MgBetaUser -UserId admin@contoso.onmicrosoft.com -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | Out-String
        $debug | Should -Match '/beta/users/admin@contoso.onmicrosoft.com'
    }

    It 'Select-MgProfile -Name beta sends v1.0-named cmdlets to /beta, warns once, and -Name v1.0 restores' {
        try {
            (Get-MgProfile).Name | Should -Be 'v1.0'
            $w1 = Select-MgProfile -Name beta 3>&1
            $w2 = Select-MgProfile -Name beta 3>&1
            @($w1).Count + @($w2).Count | Should -BeLessOrEqual 1
            # What an SDK v1 script checks before it switches.
            (Get-MgProfile).Name | Should -Be 'beta'
            (Get-MgProfile -ListAvailable).Name | Should -Be @('v1.0', 'beta')
            (Get-MgProfile -Name v1.0).Description | Should -Match 'v1.0'
            $debug = Get-MgUser -UserId admin@contoso.onmicrosoft.com -Debug 5>&1 | Out-String
            $debug | Should -Match '/beta/users/'
        }
        finally { Select-MgProfile -Name v1.0 3>$null }
        $debug = Get-MgUser -UserId admin@contoso.onmicrosoft.com -Debug 5>&1 | Out-String
        $debug | Should -Match '/v1.0/users/'
        # As Microsoft's Set-MgUserLicense example writes it: the set ignores case, so must the profile.
        try {
            Select-MgProfile -Name Beta 3>$null
            (Get-MgProfile).Name | Should -Be 'beta'
            Get-MgUser -UserId admin@contoso.onmicrosoft.com -Debug 5>&1 | Out-String | Should -Match '/beta/users/'
        }
        finally { Select-MgProfile -Name V1.0 3>$null }
        (Get-MgProfile).Name | Should -Be 'v1.0'
    }
}

Describe 'Help and discovery' {
    It 'Get-Help -Full shows the syntax with every parameter and its type, the Graph calls and the SDK page' {
        $help = Get-Help Get-MgUser -Full | Out-String -Width 400
        $help | Should -Match '-Filter <string>'
        $help | Should -Match '-UserId <string>'
        $help | Should -Match 'GET /users/\{user-id\}'
        (Get-Command Get-MgUser).HelpUri | Should -Be 'https://learn.microsoft.com/powershell/module/microsoft.graph.users/get-mguser'
    }

    It 'Find-MgGraphCommand answers by command and by URI' {
        $rows = Find-MgGraphCommand -Command Get-MgUser
        $rows.URI | Should -Contain '/users/{user-id}'
        $rows[0].PSObject.TypeNames | Should -Contain 'Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand'
        $rows = Find-MgGraphCommand -Uri '/v1.0/users/8a7c3f0e' -Method GET
        $rows.Command | Should -Contain 'Get-MgUser'
        $rows.APIVersion | Should -Not -Contain 'beta'
        $rows = Find-MgGraphCommand -Uri '/users/{id}' -Method GET -ApiVersion beta
        $rows.Command | Should -Contain 'Get-MgBetaUser'
        Find-MgGraphCommand -Command 'Get-MgNoSuchThing' -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].Exception.Message | Should -Match 'Get-MgNoSuchThing'
    }

    It 'tab completion offers generated cmdlets and their dynamic parameters' {
        (TabExpansion2 'Get-MgUserCou' 13).CompletionMatches.CompletionText | Should -Contain 'Get-MgUserCount'
        (TabExpansion2 'Set-MgUserLicense -AddLic' 25).CompletionMatches.CompletionText | Should -Contain '-AddLicenses'
    }
}
