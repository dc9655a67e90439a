Set-StrictMode -Version Latest

BeforeDiscovery {
    $script:ModuleDir = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module/MgGraph'))
    $manifest = Import-PowerShellDataFile (Join-Path $script:ModuleDir 'MgGraph.psd1')
    # The core's commands, as MgGraph lists them (compiled cmdlets of Microsoft.Graph.Authentication).
    $script:Exported = @(@($manifest['FunctionsToExport']) + @($manifest['CmdletsToExport']) | Where-Object { $_ } | ForEach-Object { @{ Name = $_ } })
    $script:TestFiles = @(Get-ChildItem $PSScriptRoot -Filter '*.ps1' | ForEach-Object { @{ File = $_.FullName; Name = $_.Name } })
}

BeforeAll {
    $script:ModuleDir = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module/MgGraph'))
    Import-Module (Join-Path $script:ModuleDir 'MgGraph.psd1') -Force
    $script:Manifest = Test-ModuleManifest (Join-Path $script:ModuleDir 'MgGraph.psd1')
}

Describe 'The module manifest' {
    It 'is valid and requires PowerShell 7.4 or later' {
        $script:Manifest.Name | Should -Be 'MgGraph'
        $script:Manifest.PowerShellVersion | Should -Be ([version]'7.4')
        $script:Manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports exactly the commands the core defines, listed explicitly' {
        $text = Get-Content (Join-Path $script:ModuleDir 'MgGraph.psd1') -Raw
        $text | Should -Not -Match "(Functions|Cmdlets)ToExport\s*=\s*'\*'"
        # MgGraph lists them; the core (the SDK's authentication module) defines them, as
        # compiled cmdlets: it has no script functions at all.
        @(Get-Command -Module Microsoft.Graph.Authentication -CommandType Function).Count | Should -Be 0
        $defined = (Get-Command -Module Microsoft.Graph.Authentication -CommandType Cmdlet).Name | Sort-Object
        $listed = @($script:Manifest.ExportedFunctions.Keys) + @($script:Manifest.ExportedCmdlets.Keys) | Sort-Object
        $defined | Should -Be $listed
        (Get-Module Microsoft.Graph.Authentication).ModuleType | Should -Be 'Binary'
    }

    It 'is a compiled root module (no script) that imports the core globally, by path' {
        $script:Manifest.RootModule | Should -Be 'MgGraph.dll'
        (Get-Module MgGraph).ModuleType | Should -Be 'Binary'
        Test-Path (Join-Path $script:ModuleDir 'MgGraph.psm1') | Should -BeFalse
        # In a fresh process: the core is a module of its own in the global scope, from beside
        # MgGraph, and its folder is first on PSModulePath for the SDK-named modules.
        $out = pwsh -NoProfile -NonInteractive -Command "Import-Module '$($script:ModuleDir)/MgGraph.psd1'; (Get-Module Microsoft.Graph.Authentication).ModuleBase; (Get-Command Connect-MgGraph).Source; (`$env:PSModulePath -split [IO.Path]::PathSeparator)[0]"
        $LASTEXITCODE | Should -Be 0
        $root = Split-Path $script:ModuleDir -Parent
        $out | Should -Be @((Join-Path $root 'Microsoft.Graph.Authentication'), 'Microsoft.Graph.Authentication', $root)
    }

    It 'fails to import, naming the missing path, when its core is not beside it' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) "mggraph-lonely-$PID/MgGraph"
        $null = New-Item -ItemType Directory -Force $copy
        try {
            Copy-Item (Join-Path $script:ModuleDir 'MgGraph.psd1'), (Join-Path $script:ModuleDir 'MgGraph.dll') $copy
            $out = pwsh -NoProfile -NonInteractive -Command "try { Import-Module '$copy/MgGraph.psd1' -ErrorAction Stop; 'imported' } catch { `$_.Exception.Message }; @(Get-Module Microsoft.Graph.Authentication).Count" 2>&1
            $text = $out -join "`n"
            $text | Should -Not -Match 'imported'
            $text | Should -Match ([regex]::Escape((Join-Path (Split-Path $copy -Parent) 'Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psd1')))
            $text | Should -Match 'core module is missing'
            $out[-1] | Should -Be '0'
        }
        finally { Remove-Item -Recurse -Force (Split-Path $copy -Parent) -ErrorAction SilentlyContinue }
    }

    It 'fails to import, naming its core, when the core cannot be imported, even under SilentlyContinue' {
        $root = Join-Path ([IO.Path]::GetTempPath()) "mggraph-brokenroot-$PID"
        try {
            $copy = Join-Path $root 'MgGraph'
            $null = New-Item -ItemType Directory -Force $copy
            Copy-Item (Join-Path $script:ModuleDir 'MgGraph.psd1'), (Join-Path $script:ModuleDir 'MgGraph.dll') $copy
            Copy-Item -Recurse (Join-Path (Split-Path $script:ModuleDir -Parent) 'Microsoft.Graph.Authentication') $root
            $core = Join-Path $root 'Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psd1'
            (Get-Content $core -Raw).Replace("RootModule = 'bin/MgGraph.Core.dll'", "RootModule = 'bin/Missing.dll'") | Set-Content $core
            $out = pwsh -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'SilentlyContinue'; Import-Module '$copy/MgGraph.psd1'; 'imported: ' + @(Get-Module MgGraph).Count; `"`$(`$Error[0])`"" 2>&1
            $text = $out -join "`n"
            $text | Should -Match 'imported: 0'
            $text | Should -Match ([regex]::Escape("importing its core '$core' failed"))
            $text | Should -Match 'Missing\.dll'
        }
        finally { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }
    }

    It 'completes -Environment with the clouds, the sandbox and user-defined environments' {
        $all = (TabExpansion2 'Connect-MgGraph -Environment ' 29).CompletionMatches.CompletionText
        foreach ($name in 'Global', 'China', 'USGov', 'USGovDoD', 'Sandbox') { $all | Should -Contain $name }
        (TabExpansion2 'Connect-MgGraph -Environment sa' 31).CompletionMatches.CompletionText | Should -Be 'Sandbox'
        Add-MgEnvironment -Name 'Tab Cloud' -AzureADEndpoint https://login.tab.example -GraphEndpoint https://graph.tab.example | Out-Null
        try { (TabExpansion2 'Connect-MgGraph -Environment Tab' 32).CompletionMatches.CompletionText | Should -Be "'Tab Cloud'" }
        finally { Remove-MgEnvironment -Name 'Tab Cloud' | Out-Null }
    }

    It 'exports the SDK aliases' {
        (Get-Alias Connect-Graph).ResolvedCommandName | Should -Be 'Connect-MgGraph'
        (Get-Alias Invoke-GraphRequest).ResolvedCommandName | Should -Be 'Invoke-MgGraphRequest'
        (Get-Alias Invoke-MgRestMethod).ResolvedCommandName | Should -Be 'Invoke-MgGraphRequest'
        (Get-Alias Disconnect-Graph).ResolvedCommandName | Should -Be 'Disconnect-MgGraph'
    }

    It 'auto-loads from PSModulePath without Import-Module' {
        $root = Split-Path $script:ModuleDir -Parent
        $out = pwsh -NoProfile -Command "`$env:PSModulePath = '$root' + [IO.Path]::PathSeparator + `$env:PSModulePath; (Get-Command Get-MgUser).Module.Name; (Get-Command Connect-MgGraph).Module.Name; Get-MgContext; 'ok'"
        $LASTEXITCODE | Should -Be 0
        # Graph cmdlets come from their SDK-named module, running on the MgGraph core.
        $out | Should -Be @('Microsoft.Graph.Users', 'Microsoft.Graph.Authentication', 'ok')
    }
}

Describe 'Loading an SDK-named module on its first cmdlet' {
    BeforeAll {
        # A fake executable named like an SDK cmdlet, first on PATH: PowerShell's own search
        # looks through PATH before it auto-loads a module, so without MgGraph's look-up hook
        # this file would run instead of the cmdlet.
        $script:Decoy = Join-Path ([IO.Path]::GetTempPath()) "mggraph-decoy-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory $script:Decoy | Out-Null
        $script:Marker = Join-Path $script:Decoy 'ran'
        Set-Content (Join-Path $script:Decoy 'Get-MgGroup') "#!/bin/sh`ntouch '$script:Marker'"
        if (-not $IsWindows) { chmod +x (Join-Path $script:Decoy 'Get-MgGroup') }
        $script:Run = {
            param([string] $Script)
            $env:PATH = $script:Decoy + [IO.Path]::PathSeparator + $env:PATH
            try { pwsh -NoProfile -NonInteractive -Command ("Import-Module '$($script:ModuleDir)/MgGraph.psd1'; " + $Script) 2>&1 }
            finally { $env:PATH = $env:PATH.Substring($script:Decoy.Length + 1) }
        }
    }
    AfterAll { Remove-Item -Recurse -Force $script:Decoy -ErrorAction SilentlyContinue }

    It 'loads the module from the catalog before PowerShell searches PATH' {
        $out = & $script:Run "try { Get-MgGroup -Top 1 -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }; (Get-Module Microsoft.Graph.Groups).ModuleBase; (Get-Command Get-MgGroup).CommandType"
        $LASTEXITCODE | Should -Be 0
        Test-Path $script:Marker | Should -BeFalse -Because 'the decoy on PATH must not run'
        $out[0] | Should -Match 'Authentication'
        $out[1] | Should -Be ([IO.Path]::GetFullPath((Join-Path $script:ModuleDir '../Microsoft.Graph.Groups')))
        $out[2] | Should -Be 'Cmdlet'
    }

    It 'fills PowerShell''s constructor and setter caches for a cmdlet on its first look-up, and binds as before' {
        # In a fresh process: Get-MgGroup's class gets MgGraph's constructor and setters (no
        # expression compiled); a name typed in another case is left to PowerShell's own.
        $caches = "`$sma = [psobject].Assembly; " +
            "`$ctor = `$sma.GetType('System.Management.Automation.CommandProcessor').GetField('s_constructInstanceCache', 'NonPublic,Static').GetValue(`$null); " +
            "`$set = `$sma.GetType('System.Management.Automation.ReflectionParameterBinder').GetField('s_setterMethods', 'NonPublic,Static').GetValue(`$null); " +
            "`$t = (Get-Command Get-MgGroup).ImplementingType; `$m = (Get-Command Get-MgGroupMember).ImplementingType; " +
            "`$ctor[`$t].Method.Module.Assembly.GetName().Name; `$set[[Tuple[type, string]]::new(`$t, 'Top')].Method.Module.Assembly.GetName().Name; " +
            "`$ctor[`$m].Method.Module.Assembly.GetName().Name"
        $out = & $script:Run ("Connect-MgGraph -Environment Sandbox -NoWelcome; " +
            "`$g = New-MgGroup -DisplayName Primed -MailEnabled:`$false -MailNickname primed -SecurityEnabled -Description d; " +
            "`$got = Get-MgGroup -GroupId `$g.Id -Property id, displayName, description, securityEnabled, mailEnabled; " +
            "`$listed = @(Get-MgGroup -Top 2 -Filter `"displayName eq 'Primed'`" -ConsistencyLevel eventual -CountVariable n); " +
            "`$members = @(get-mggroupmember -GroupId `$g.Id); " +
            "try { Get-MgGroup -Top x -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }; " +
            "foreach (`$cmd in 'Get-MgGroup', 'get-mggroup') { try { & `$cmd -Top `$null -ErrorAction Stop; 'bound' } catch { `$_.FullyQualifiedErrorId + ': ' + `$_.Exception.Message } }; " +
            "'{0} {1} {2} {3} {4} {5} {6}' -f `$got.DisplayName, `$got.Description, `$got.SecurityEnabled, `$got.MailEnabled, `$n, `$listed.Count, `$members.Count; " +
            $caches)
        $LASTEXITCODE | Should -Be 0
        # A null for a value-type parameter is refused as PowerShell's own setter refuses it,
        # whichever setter (MgGraph's for Get-MgGroup, PowerShell's for a look-up in another case).
        $refused = 'ParameterBindingFailed,Microsoft.Graph.PowerShell.Cmdlets.GetMgGroup: Cannot bind parameter ''Top'' to the target. Exception setting "Top": "Cannot convert null to type "System.Int32"."'
        $out | Should -Be @('CannotConvertArgumentNoMessage,Microsoft.Graph.PowerShell.Cmdlets.GetMgGroup', $refused, $refused, 'Primed d True False 1 1 0', 'MgGraph.Core', 'MgGraph.Core', 'Anonymously Hosted DynamicMethods Assembly')
    }

    It 'loads nothing for a name a function or an alias answers, as PowerShell does' {
        $out = & $script:Run "function Get-MgGroup { 'mine' }; Set-Alias Get-MgDevice Get-Date; Get-MgGroup; (Get-MgDevice).GetType().Name; @(Get-Module Microsoft.Graph.Groups, Microsoft.Graph.Identity.DirectoryManagement).Count"
        $out | Should -Be @('mine', 'DateTime', '0')
    }

    It 'loads nothing while $PSModuleAutoLoadingPreference is None, and loads once it is All again' {
        $out = & $script:Run ("`$PSModuleAutoLoadingPreference = 'None'; try { Get-MgDevice -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }; @(Get-Module Microsoft.Graph.Identity.DirectoryManagement).Count; " +
            "`$PSModuleAutoLoadingPreference = 'All'; (Get-Command Get-MgDevice).CommandType; @(Get-Module Microsoft.Graph.Identity.DirectoryManagement).Count")
        $out | Should -Be @('CommandNotFoundException', '0', 'Cmdlet', '1')
        # With a second decoy: off, PowerShell's rules run the PATH file; on again, the cmdlet
        # loads first.
        $dir = Join-Path $script:Decoy 'second'
        New-Item -ItemType Directory $dir -Force | Out-Null
        $ran = Join-Path $dir 'ran'
        Set-Content (Join-Path $dir 'Get-MgDevice') "#!/bin/sh`ntouch '$ran'"
        if (-not $IsWindows) { chmod +x (Join-Path $dir 'Get-MgDevice') }
        $env:PATH = $dir + [IO.Path]::PathSeparator + $env:PATH
        try {
            $out = & $script:Run ("`$PSModuleAutoLoadingPreference = 'None'; Get-MgDevice; [IO.File]::Exists('$ran'); [IO.File]::Delete('$ran'); " +
                "`$PSModuleAutoLoadingPreference = 'All'; try { Get-MgDevice -Top 1 -ErrorAction Stop } catch { }; [IO.File]::Exists('$ran'); @(Get-Module Microsoft.Graph.Identity.DirectoryManagement).Count")
        }
        finally { $env:PATH = $env:PATH.Substring($dir.Length + 1) }
        $out | Should -Be @('True', 'False', '1')
    }

    It 'keeps a look-up handler set before it, and gives it back at Remove-Module' {
        $out = & $script:Run ("`$ExecutionContext.InvokeCommand.PreCommandLookupAction = { param(`$n, `$e) if (`$n -eq 'Get-Answer') { `$e.CommandScriptBlock = { 42 }; `$e.StopSearch = `$true } }; " +
            "Remove-Module MgGraph, Microsoft.Graph.Authentication; Import-Module '$($script:ModuleDir)/MgGraph.psd1'; " +
            "Get-Answer; `$null = Get-MgUser -Top 1 -ErrorAction SilentlyContinue; @(Get-Module Microsoft.Graph.Users).Count; " +
            "Remove-Module MgGraph, Microsoft.Graph.Authentication; `$ExecutionContext.InvokeCommand.PreCommandLookupAction.Target.GetType().Name")
        $out[0] | Should -Be '42'
        $out[1] | Should -Be '1'
        $out[2] | Should -Not -Match 'Hook'
        Test-Path $script:Marker | Should -BeFalse
    }
}

Describe 'Exported command <Name>' -ForEach $script:Exported {
    BeforeAll { $script:Command = Get-Command $Name -Module Microsoft.Graph.Authentication }

    It 'is a compiled cmdlet, named as in the SDK, with an approved verb' {
        $script:Command.CommandType | Should -Be 'Cmdlet'
        $script:Command.ImplementingType.FullName | Should -Be "Microsoft.Graph.PowerShell.Authentication.Cmdlets.$($Name.Replace('-', ''))"
        $verb = $Name.Split('-')[0]
        (Get-Verb).Verb | Should -Contain $verb
    }

    It 'has comment-based help with a synopsis and an example' {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*Get-|^\s*\w+-Mg\w+\s*\['
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
    }

    It 'supports -WhatIf when it changes state' {
        if ($Name -match '^(New|Update|Remove|Set|Add|Register)-') {
            $script:Command.Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
}

Describe 'Test file <Name>' -ForEach $script:TestFiles {
    It 'opens with Set-StrictMode -Version Latest' {
        if ($Name -ne 'Invoke-Tests.ps1') {
            (Get-Content $File -TotalCount 1) | Should -Be 'Set-StrictMode -Version Latest'
        }
        else { (Get-Content $File -Raw) | Should -Match 'Set-StrictMode -Version Latest' }
    }
}

Describe 'SDK parameter compatibility' {
    It 'Get-MgUser has the List, Get and GetViaIdentity sets with List the default' {
        $c = Get-Command Get-MgUser
        $c.DefaultParameterSet | Should -Be 'List'
        ($c.ParameterSets.Name | Sort-Object) | Should -Be @('Get', 'GetViaIdentity', 'List')
        $c.Parameters['Property'].Aliases | Should -Contain 'Select'
        $c.Parameters['CountVariable'].Aliases | Should -Contain 'CV'
        $c.Parameters['Top'].Aliases | Should -Contain 'Limit'
        $c.Parameters['Sort'].Aliases | Should -Contain 'OrderBy'
        $c.Parameters.Keys | Should -Not -Contain 'Skip'
    }

    It 'New-MgUserAuthenticationTemporaryAccessPassMethod defaults to CreateExpanded and takes -BodyParameter in Create' {
        $c = Get-Command New-MgUserAuthenticationTemporaryAccessPassMethod
        $c.DefaultParameterSet | Should -Be 'CreateExpanded'
        $c.Parameters['BodyParameter'].ParameterSets.Keys | Should -Contain 'Create'
        $c.Parameters['IsUsableOnce'].ParameterType | Should -Be ([switch])
        $c.Parameters['LifetimeInMinutes'].ParameterType | Should -Be ([int])
        $c.Parameters['StartDateTime'].ParameterType | Should -Be ([datetime])
    }

    It 'Connect-MgGraph keeps the SDK parameter sets, positions and aliases' {
        $c = Get-Command Connect-MgGraph
        $c.DefaultParameterSet | Should -Be 'UserParameterSet'
        foreach ($set in 'UserParameterSet', 'AppCertificateParameterSet', 'IdentityParameterSet', 'AppSecretCredentialParameterSet', 'AccessTokenParameterSet', 'EnvironmentVariableParameterSet') {
            $c.ParameterSets.Name | Should -Contain $set
        }
        $c.Parameters['Scopes'].ParameterSets['UserParameterSet'].Position | Should -Be 1
        $c.Parameters['TenantId'].ParameterSets['UserParameterSet'].Position | Should -Be 4
        $c.Parameters['UseDeviceCode'].Aliases | Should -Contain 'UseDeviceAuthentication'
        $c.Parameters['ClientSecretCredential'].Aliases | Should -Contain 'SecretCredential'
        $c.Parameters['CertificateSubjectName'].Aliases | Should -Contain 'CertificateName'
        $c.Parameters['Identity'].Aliases | Should -Contain 'ManagedIdentity'
        $c.Parameters['AccessToken'].ParameterType | Should -Be ([securestring])
    }

    It 'Invoke-MgGraphRequest has the SDK positions and output types' {
        $c = Get-Command Invoke-MgGraphRequest
        $c.Parameters['Method'].ParameterSets['__AllParameterSets'].Position | Should -Be 1
        $c.Parameters['Uri'].ParameterSets['__AllParameterSets'].Position | Should -Be 2
        $c.Parameters['Body'].ParameterSets['__AllParameterSets'].ValueFromPipeline | Should -BeTrue
        $set = $c.Parameters['OutputType'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $set.ValidValues | Should -Be @('HashTable', 'PSObject', 'HttpResponseMessage', 'Json')
    }
}

Describe 'Native engine loading' {
    It 'reports where it looked when the engine is missing' {
        $out = pwsh -NoProfile -Command "`$env:MGGRAPH_NATIVE_LIBRARY = '/nonexistent/libmggraph.so'; Import-Module '$script:ModuleDir/MgGraph.psd1'; try { Get-MgContext } catch { `$_.Exception.Message }" 2>&1
        ($out -join ' ') | Should -Match 'native engine'
    }
}

Describe 'The compiled layer' {
    It 'a fresh process names model classes and runs a cmdlet without emitting or caching any assembly' {
        $cache = Join-Path ([IO.Path]::GetTempPath()) "mggraph-nocache-$([guid]::NewGuid().ToString('n'))"
        $out = pwsh -NoProfile -NonInteractive -Command ("`$env:MGGRAPH_CACHE_DIR = '$cache'; Import-Module '$script:ModuleDir/MgGraph.psd1'; [Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject].FullName; Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Empty = `$true } | Out-Null; (Get-MgUser -UserId admin@contoso.onmicrosoft.com).GetType().FullName; @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object IsDynamic | Where-Object { `$_.GetName().Name -like 'MgGraph*' }).Count; " +
            "@([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'MgGraph.Models.Beta' }).Count; Import-Module Microsoft.Graph.Beta.Users; [Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUser].FullName") 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        # MgGraph brings the v1.0 models; the beta ones come with the first beta module.
        $out | Should -Be @('Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject', 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser', '0', '0', 'Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUser')
        # The user cache holds at most the token cache: no compiled code is written there.
        @(Get-ChildItem $cache -Filter '*.dll' -Recurse -ErrorAction SilentlyContinue).Count | Should -Be 0
        Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'every generated cmdlet is a compiled cmdlet: no script forwarders and no dynamic parameters' {
        Import-Module Microsoft.Graph.Users -Force
        $commands = @(Get-Command -Module Microsoft.Graph.Users)
        $commands.Count | Should -BeGreaterThan 100
        @($commands | Where-Object CommandType -ne 'Cmdlet').Count | Should -Be 0
        (Get-Command Get-MgUser).ImplementingType.FullName | Should -Be 'Microsoft.Graph.PowerShell.Cmdlets.GetMgUser'
        (Get-Command Get-MgUser).Parameters['UserId'].IsDynamic | Should -BeFalse
    }
}

Describe 'Request JSON written without ConvertTo-Json' {
    It 'round-trips dictionaries, lists, strings, numbers, booleans and nulls, and falls back for other objects' {
        $value = [ordered]@{
            text   = "quote "" backslash \ tab `t newline `n unicode é€😀 <tag> &"
            int    = 42; long = [long]9007199254740993; double = 1.5; negative = -7; decimal = [decimal]'10.25'
            yes    = $true; no = $false; nothing = $null; switch = [switch]$true
            list   = @(1, 'two', @{ three = 3 }, @(), $null)
            nested = @{ deeper = [ordered]@{ empty = @{}; names = [System.Collections.Generic.List[string]]@('a', 'b') } }
            object = [pscustomobject]@{ Name = 'x'; Count = 2 }
            guid   = [guid]'6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34'
            # An entry named "keys" must not hide the dictionary's keys.
            keys   = @('a', 'b')
            nan    = [double]::NaN; infinity = [double]::PositiveInfinity; single = [single]0.5
            bytes  = [byte[]]@(1, 2, 255); enum = [System.DayOfWeek]::Friday; char = [char]'c'
            date   = [datetime]::new(2026, 11, 26, 10, 30, 0, [DateTimeKind]::Utc)
        }
        $json = [MgGraph.PowerShell.WireValue]::ToJson($value)
        $back = $json | ConvertFrom-Json -AsHashtable -NoEnumerate
        $back.text | Should -BeExactly $value.text
        $back.int | Should -Be 42
        $back.long | Should -Be 9007199254740993
        $back.double | Should -Be 1.5
        $back.negative | Should -Be -7
        $back.decimal | Should -Be 10.25
        $back.yes | Should -BeTrue
        $back.no | Should -BeFalse
        $back.ContainsKey('nothing') | Should -BeTrue
        $back.nothing | Should -BeNullOrEmpty
        $back.switch | Should -BeTrue
        $back.list.Count | Should -Be 5
        $back.list[1] | Should -Be 'two'
        $back.list[2].three | Should -Be 3
        $back.list[3].Count | Should -Be 0
        $back.nested.deeper.names | Should -Be @('a', 'b')
        $back.nested.deeper.empty.Count | Should -Be 0
        $back.object.Name | Should -Be 'x'
        $back.object.Count | Should -Be 2
        $back.guid | Should -Be '6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34'
        $back.keys | Should -Be @('a', 'b')
        $back.nan | Should -Be 'NaN'
        $back.infinity | Should -Be 'Infinity'
        $back.bytes | Should -Be @(1, 2, 255)
        $back.enum | Should -Be 5
        $back.char | Should -Be 'c'
        $back.single | Should -Be 0.5
        [datetime]::Parse($back.date, [cultureinfo]::InvariantCulture, 'RoundtripKind') | Should -Be $value.date
        # Keys keep their order, as the engine sees them.
        @($back.Keys)[0..2] | Should -Be @('text', 'int', 'long')
    }

    It 'writes the same text as Newtonsoft.Json for JSON-ready values (escapes and number formats)' {
        # The writer is MgGraph's own (Newtonsoft's first use cost a fresh process ~10 ms); the
        # engine and Graph must see what that writer wrote.
        $controls = -join ((0..31) + 0x7f, 0x85, 0x2028, 0x2029 | ForEach-Object { [char]$_ })
        $value = [ordered]@{
            "key ""quoted"" `t" = "quote "" backslash \ slash / $controls é€😀 <tag> & 'single'"
            int = 42; long = [long]::MinValue; ulong = [ulong]::MaxValue; byte = [byte]7; short = [int16]-3
            sbyte = [sbyte]-8; ushort = [uint16]65535; uint = [uint32]::MaxValue; enum = [System.DayOfWeek]::Friday
            nan = [double]::NaN; infinities = @([double]::PositiveInfinity, [single]::NegativeInfinity)
            chars = @([char]0x2028, [char]0x85, [char]0, [char]0x1f, [char]'\')
            doubles = @(1.0, 1.5, -0.0, 1e21, 1.7976931348623157E+308, 5e-324, 0.1, 100.0, 123456789012345680.0)
            singles = @([single]0.1, [single]3, [single]1e-10)
            decimals = @([decimal]'10', [decimal]'10.250', [decimal]'-0.5')
            bools = @($true, $false); nothing = $null; empty = ''
            list = [System.Collections.Generic.List[object]]@(1, 'two', [ordered]@{ three = 3 }, @(), $null)
            guid = [guid]'6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34'; span = [timespan]::FromSeconds(90061.5); char = [char]'"'
        }
        [MgGraph.PowerShell.WireValue]::ToJson($value) | Should -BeExactly ([Newtonsoft.Json.JsonConvert]::SerializeObject($value))
        foreach ($text in @('', 'plain', $controls, 'a"b\c')) {
            [MgGraph.PowerShell.WireValue]::Quote($text) | Should -BeExactly ([Newtonsoft.Json.JsonConvert]::ToString($text))
        }
    }

    It 'reads engine JSON whole: text that ends inside an object or array is refused, comments are skipped' {
        # The method's own exception (PowerShell wraps it in a MethodInvocationException).
        $refusal = { param($text) try { $null = [MgGraph.PowerShell.JsonValues]::Parse($text) } catch { $_.Exception.InnerException } }
        foreach ($cut in '{', '[1,2', '{"a":', '{"EnableWAMForMSGraph":true', '{"a":[1,{"b":2}') {
            & $refusal $cut | Should -BeOfType ([Newtonsoft.Json.JsonException]) -Because "'$cut' is cut off"
        }
        & $refusal '{"a":1} {"b":2}' | Should -BeOfType ([Newtonsoft.Json.JsonException])
        $value = [MgGraph.PowerShell.JsonValues]::Parse("/* lead */ { // note`n ""A"": [1, /* mid */ 2], ""b"": {""C"": null} } // tail")
        $value['a'] | Should -Be @(1, 2)
        $value.b.Contains('c') | Should -BeTrue
        $value.Count | Should -Be 2
        [MgGraph.PowerShell.JsonValues]::Parse('') | Should -BeNullOrEmpty
        [MgGraph.PowerShell.JsonValues]::Parse('"2026-12-06T10:00:00Z"') | Should -BeOfType [string]
    }
}
