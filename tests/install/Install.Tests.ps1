Set-StrictMode -Version Latest

# MgGraph installed as an admin installs it (issue 11): .ci/package builds two versions, a
# local PSResourceGet repository on a temporary folder takes them, Install-PSResource
# -Scope CurrentUser puts the first into an empty module path, and every check runs in a fresh
# pwsh whose home, module path and PATH hold only that install (no Rust toolchain, no
# MGGRAPH_NATIVE_LIBRARY, no checkout). Then Get-InstalledModule with the SDK-named modules
# enabled and disabled, Update-PSResource and Uninstall-PSResource.
# Unix only (a temporary HOME stands for the user's profile folders); CI runs it on Linux.
# The Its run in order: each builds on the state the previous one left.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot '../pester/support/TestHelpers.psm1') -Force
    $script:Repo = Get-RepoPath ''
    $script:Root = Join-Path ([IO.Path]::GetTempPath()) "mggraph-install-$([guid]::NewGuid().ToString('n'))"
    $script:HomeDir = Join-Path $script:Root 'home'
    $script:Feed = Join-Path $script:Root 'feed'
    $script:UserModules = Join-Path $script:HomeDir '.local/share/powershell/Modules'
    # A home as a user's looks: .NET reports no ApplicationData folder when ~/.config is
    # missing, and NuGet (inside PSResourceGet) then writes its settings below the current
    # directory.
    $null = New-Item -ItemType Directory -Force $script:Feed, (Join-Path $script:HomeDir '.config'), (Join-Path $script:HomeDir '.local/share'), (Join-Path $script:HomeDir '.cache')
    $script:Pwsh = (Get-PwshCommand).Split(' ')
    $script:Server = $null

    # Two builds: Cargo.toml's version, and a later one standing for the next release.
    $cargo = (Get-Content (Join-Path $script:Repo 'Cargo.toml') | Where-Object { $_ -match '^version = "(.+)"$' } | Select-Object -First 1) -replace '^version = "(.+)"$', '$1'
    $v = [version]$cargo
    $script:V1 = "$v"
    $script:V2 = "$($v.Major).$($v.Minor).$($v.Build + 1)"
    foreach ($pair in @(@($script:V1, ''), @($script:V2, $script:V2))) {
        $out = Join-Path $script:Root "package-$($pair[0])"
        $env:MGGRAPH_PACKAGE_OUT = $out
        $env:MGGRAPH_PACKAGE_VERSION = $pair[1]
        try { $log = & bash (Join-Path $script:Repo '.ci/package') 2>&1 }
        finally { $env:MGGRAPH_PACKAGE_OUT = $null; $env:MGGRAPH_PACKAGE_VERSION = $null }
        if ($LASTEXITCODE -ne 0) { throw ".ci/package failed for $($pair[0]):`n$($log -join "`n")" }
    }
    $script:Nupkg1 = Join-Path $script:Root "package-$script:V1/MgGraph.$script:V1.nupkg"
    $script:Nupkg2 = Join-Path $script:Root "package-$script:V2/MgGraph.$script:V2.nupkg"

    function script:Invoke-Clean {
        # Runs $Script in a fresh pwsh with nothing of this machine's user: HOME is the
        # temporary home, the module path is its (empty, then installed) user module folder,
        # PATH holds pwsh and the system tools only. -WithProfile runs the user's profile, as an
        # interactive session would. Returns Exit, Output (stdout lines) and Errors (stderr).
        param([string] $Script, [switch] $WithProfile, [hashtable] $Environment = @{})
        $file = Join-Path $script:Root "script-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value $Script
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh[0])
        foreach ($a in @($script:Pwsh | Select-Object -Skip 1) + @('-NonInteractive') + @(if (-not $WithProfile) { '-NoProfile' }) + @('-File', $file)) {
            $psi.ArgumentList.Add($a)
        }
        $psi.WorkingDirectory = $script:HomeDir
        $psi.Environment.Clear()
        $psi.Environment['HOME'] = $script:HomeDir
        $psi.Environment['PATH'] = "$([IO.Path]::GetDirectoryName($script:Pwsh[0])):/usr/bin:/bin"
        $psi.Environment['PSModulePath'] = $script:UserModules
        $psi.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
        $psi.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
        $psi.Environment['NO_COLOR'] = '1'
        foreach ($k in 'DOTNET_ROOT', 'LANG', 'TMPDIR') {
            $value = [Environment]::GetEnvironmentVariable($k)
            if ($value) { $psi.Environment[$k] = $value }
        }
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        if (-not $p.WaitForExit(300000)) { $p.Kill(); throw "pwsh did not finish in 5 minutes: $Script" }
        Remove-Item $file
        [pscustomobject]@{
            Exit   = $p.ExitCode
            Output = @($stdout -split '\r?\n' | ForEach-Object TrimEnd | Where-Object { $_ })
            Errors = $stderr.Result
            Text   = "exit $($p.ExitCode)`n$stdout`n$($stderr.Result)"
        }
    }

    # Prints what the checks below read, as 'key=value' lines, after the script's own work.
    $script:Report = @'
$PSStyle.OutputRendering = 'PlainText'
function Report { param([string] $Key, $Value) "$Key=$Value" }
'@
    function script:Get-Reported($Result, [string] $Key) {
        $line = $Result.Output | Where-Object { $_ -like "$Key=*" } | Select-Object -Last 1
        if ($null -eq $line) { return $null }
        $line.Substring($Key.Length + 1)
    }
}

AfterAll {
    Stop-SandboxServer $script:Server
    Remove-Item -Recurse -Force $script:Root -ErrorAction SilentlyContinue
}

Describe 'MgGraph installed with PSResourceGet' {
    It '.ci/package wrote a package with the gallery metadata, the engine and the SDK-named modules' {
        Test-Path $script:Nupkg1 | Should -BeTrue
        Test-Path $script:Nupkg2 | Should -BeTrue
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Nupkg1)
        try {
            $names = $zip.Entries.FullName
            $nuspec = [xml][System.IO.StreamReader]::new(($zip.Entries | Where-Object FullName -EQ 'MgGraph.nuspec').Open()).ReadToEnd()
        }
        finally { $zip.Dispose() }
        # The core (the SDK's authentication module) carries the format data, the compiled core and
        # models; each SDK-named module its own assembly.
        foreach ($f in 'MgGraph.psd1', 'MgGraph.dll', 'LICENSE', 'CHANGELOG.md',
            'runtimes/linux-x64/native/libmggraph.so', 'runtimes/linux-x64/native/mggraph-sandbox',
            'sdk/Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psd1', 'sdk/Microsoft.Graph.Authentication/MgGraph.Format.ps1xml',
            'sdk/Microsoft.Graph.Authentication/bin/MgGraph.Core.dll', 'sdk/Microsoft.Graph.Authentication/bin/MgGraph.Models.dll',
            'sdk/Microsoft.Graph.Authentication/bin/MgGraph.Models.Beta.dll', 'sdk/Microsoft.Graph.Authentication/en-US/MgGraph.Core.dll-Help.xml',
            'sdk/Microsoft.Graph.Users/Microsoft.Graph.Users.psd1', 'sdk/Microsoft.Graph.Users/Microsoft.Graph.Users.dll',
            'sdk/Microsoft.Graph/Microsoft.Graph.psd1', 'examples/TapOnboarding.ps1') {
            $names | Should -Contain $f
        }
        $m = $nuspec.package.metadata
        $m.id | Should -Be 'MgGraph'
        $m.version | Should -Be $script:V1
        $m.projectUrl | Should -Match '^https://'
        $m.licenseUrl | Should -Match '^https://'
        $m.releaseNotes | Should -Not -BeNullOrEmpty
        $m.tags | Should -Match 'MicrosoftGraph'
        # No build leftovers, and no script root module (MgGraph.dll imports the core).
        $names | Should -Not -Contain 'MgGraph.psm1'
        $names | Where-Object { $_ -match '^(Private|Public|target)/' } | Should -BeNullOrEmpty
    }

    It 'publishes to a local repository and installs into an empty user module path' {
        Test-Path (Join-Path $script:UserModules 'MgGraph') | Should -BeFalse
        $r = Invoke-Clean @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name LocalFeed -Uri '$($script:Feed)' -Trusted
Publish-PSResource -NupkgPath '$($script:Nupkg1)' -Repository LocalFeed
Install-PSResource -Name MgGraph -Repository LocalFeed -Scope CurrentUser -TrustRepository
(Get-InstalledPSResource -Name MgGraph).Version.ToString()
(Get-Module -ListAvailable MgGraph).ModuleBase
"@
        $r.Exit | Should -Be 0 -Because $r.Text
        $r.Output[-2] | Should -Be $script:V1
        $r.Output[-1] | Should -Be (Join-Path $script:UserModules "MgGraph/$script:V1")
        Test-Path (Join-Path $script:UserModules "MgGraph/$script:V1/runtimes/linux-x64/native/libmggraph.so") | Should -BeTrue
    }

    It 'runs the walk-through from the install, with no Rust toolchain and no MGGRAPH_NATIVE_LIBRARY' {
        $r = Invoke-Clean ($script:Report + @'
$ErrorActionPreference = 'Stop'
Report cargo (@(Get-Command cargo, rustc -ErrorAction Ignore).Count)
Report native "$env:MGGRAPH_NATIVE_LIBRARY"
$base = (Get-Module -ListAvailable MgGraph).ModuleBase
& "$base/examples/TapOnboarding.ps1"
Report module (Get-Module MgGraph).ModuleBase
Report engine ([MgGraph.PowerShell.Engine]::LibraryPath)
Report compiled ((Get-Command Get-MgUser).CommandType)
'@)
        $r.Exit | Should -Be 0 -Because $r.Text
        Get-Reported $r cargo | Should -Be '0'
        Get-Reported $r native | Should -BeNullOrEmpty
        $base = Join-Path $script:UserModules "MgGraph/$script:V1"
        Get-Reported $r module | Should -Be $base
        Get-Reported $r engine | Should -Be "$base/runtimes/linux-x64/native/libmggraph.so"
        # The cmdlets are compiled and shipped: nothing is emitted at run time.
        Get-Reported $r compiled | Should -Be 'Cmdlet'
        ($r.Output -join "`n") | Should -Match '#microsoft\.graph\.fido2AuthenticationMethod'
        ($r.Output -join "`n") | Should -Match '#microsoft\.graph\.temporaryAccessPassAuthenticationMethod'
    }

    It 'answers Get-Help and Find-MgGraphCommand from the install' {
        $r = Invoke-Clean ($script:Report + @'
$ErrorActionPreference = 'Stop'
Import-Module MgGraph
$help = Get-Help Get-MgUser -Full | Out-String -Width 400
Report synopsis ([bool]((Get-Help Get-MgUser).Synopsis))
Report path ($help -match 'GET /users/\{user-id\}')
Report filter ($help -match '-Filter <string>')
Report find ((Find-MgGraphCommand -Command Get-MgUser).URI -join ',')
Report byuri ((Find-MgGraphCommand -Uri '/users/{id}' -Method GET).Command -join ',')
Report helpmodule (Get-Command Get-MgUser).Module.ModuleBase
'@)
        $r.Exit | Should -Be 0 -Because $r.Text
        Get-Reported $r synopsis | Should -Be 'True'
        Get-Reported $r path | Should -Be 'True'
        Get-Reported $r filter | Should -Be 'True'
        (Get-Reported $r find) -split ',' | Should -Contain '/users/{user-id}'
        (Get-Reported $r byuri) -split ',' | Should -Contain 'Get-MgUser'
        Get-Reported $r helpmodule | Should -Be (Join-Path $script:UserModules "MgGraph/$script:V1/sdk/Microsoft.Graph.Users")
    }

    It '#Requires -Modules Microsoft.Graph.Users works in a new session after Enable-MgGraphSdkModule' {
        $requires = $script:Report + @'
#Requires -Modules Microsoft.Graph.Users
$ErrorActionPreference = 'Stop'
Connect-MgGraph -Environment Sandbox -NoWelcome
Report upn (Get-MgUser -UserId admin@contoso.onmicrosoft.com).UserPrincipalName
Report users (Get-Module Microsoft.Graph.Users).ModuleBase
Report listed (@(Get-Module -ListAvailable Microsoft.Graph.Identity.SignIns).Count)
'@
        # Before: the SDK-named modules are inside the package, where PowerShell does not look.
        $before = Invoke-Clean $requires -WithProfile
        $before.Exit | Should -Not -Be 0
        $before.Text | Should -Match 'Microsoft\.Graph\.Users'

        $enable = Invoke-Clean @'
$ErrorActionPreference = 'Stop'
Import-Module MgGraph
$PSStyle.OutputRendering = 'PlainText'
Enable-MgGraphSdkModule -Scope CurrentUser -WhatIf
"whatif=$([IO.File]::Exists($PROFILE.CurrentUserAllHosts))"
$r = Enable-MgGraphSdkModule -Scope CurrentUser
$null = Enable-MgGraphSdkModule -Scope CurrentUser
"profile=$($r.Profile)"
$p = Enable-MgGraphSdkModule -Scope Process
"folder=$($p.Folder)"
"first=$(($env:PSModulePath -split [IO.Path]::PathSeparator)[0] -eq $p.Folder)"
'@
        $enable.Exit | Should -Be 0 -Because $enable.Text
        $enable.Output | Should -Contain 'whatif=False'
        $profilePath = Join-Path $script:HomeDir '.config/powershell/profile.ps1'
        $enable.Output | Should -Contain "profile=$profilePath"
        $enable.Output | Should -Contain "folder=$(Join-Path $script:UserModules "MgGraph/$script:V1/sdk")"
        $enable.Output | Should -Contain 'first=True'
        $text = Get-Content $profilePath -Raw
        ([regex]::Matches($text, 'Enable-MgGraphSdkModule')).Count | Should -Be 1 -Because 'enabling twice changes nothing'
        $text | Should -Not -Match ([regex]::Escape($script:V1)) -Because 'the profile lines name no version'

        $after = Invoke-Clean $requires -WithProfile
        $after.Exit | Should -Be 0 -Because $after.Text
        Get-Reported $after upn | Should -Be 'admin@contoso.onmicrosoft.com'
        Get-Reported $after users | Should -Be (Join-Path $script:UserModules "MgGraph/$script:V1/sdk/Microsoft.Graph.Users")
        Get-Reported $after listed | Should -Be '1'
        # Sessions started with -NoProfile are not changed.
        (Invoke-Clean $requires).Exit | Should -Not -Be 0
    }

    It 'Get-InstalledModule finds the SDK-named modules after Enable-MgGraphSdkModule, and not after Disable-MgGraphSdkModule' {
        # Five of 162 real admin scripts gate on `if (Get-InstalledModule Microsoft.Graph)`.
        # Enable (run by the previous It) wrote PowerShellGet's install records into the
        # package's sdk/<Module> folders; Get-InstalledModule finds them below the user's module
        # folder as it finds MgGraph's own.
        $probe = $script:Report + @'
$ErrorActionPreference = 'Stop'
foreach ($name in 'Microsoft.Graph', 'Microsoft.Graph.Users', 'Microsoft.Graph.Beta.Users') {
    $m = Get-InstalledModule -Name $name -ErrorAction SilentlyContinue
    Report "installed-$name" $(if ($m) { "$($m.Version)|$($m.InstalledLocation)" } else { 'none' })
}
Report gate $(if (Get-InstalledModule Microsoft.Graph -ErrorAction SilentlyContinue) { 'open' } else { 'closed' })
Report mggraph (Get-InstalledModule -Name MgGraph).Version
$listed = @(Get-Module -ListAvailable Microsoft.Graph*)
Report listed (@($listed | Where-Object Name -In 'Microsoft.Graph', 'Microsoft.Graph.Users' | ForEach-Object { "$($_.Name)@$($_.Version)" }) -join ',')
Report listedcount $listed.Count
Report resources (@(Get-InstalledPSResource | ForEach-Object Name | Sort-Object) -join ',')
'@
        $sdk = Join-Path $script:UserModules "MgGraph/$script:V1/sdk"
        $on = Invoke-Clean $probe -WithProfile
        $on.Exit | Should -Be 0 -Because $on.Text
        Get-Reported $on 'installed-Microsoft.Graph' | Should -Be "2.35.0|$(Join-Path $sdk 'Microsoft.Graph')"
        Get-Reported $on 'installed-Microsoft.Graph.Users' | Should -Be "2.35.0|$(Join-Path $sdk 'Microsoft.Graph.Users')"
        Get-Reported $on 'installed-Microsoft.Graph.Beta.Users' | Should -Be "2.35.0|$(Join-Path $sdk 'Microsoft.Graph.Beta.Users')"
        Get-Reported $on gate | Should -Be 'open'
        Get-Reported $on mggraph | Should -Be $script:V1 -Because 'MgGraph''s own record is untouched'
        $listed = (Get-Reported $on listed) -split ','
        $listed | Should -Contain 'Microsoft.Graph@2.35.0'
        $listed | Should -Contain 'Microsoft.Graph.Users@2.35.0'
        [int](Get-Reported $on listedcount) | Should -BeGreaterThan 70
        # PSResourceGet still sees one package: the records sit in module folders without a
        # version folder, where it does not look.
        Get-Reported $on resources | Should -Be 'MgGraph'
        # The records carry the module's identity, not MgGraph's commands or dependencies.
        $record = Import-Clixml (Join-Path $sdk 'Microsoft.Graph.Users/PSGetModuleInfo.xml')
        $record.Name | Should -Be 'Microsoft.Graph.Users'
        $record.Version | Should -Be '2.35.0'
        @($record.Dependencies).Count | Should -Be 0
        @($record.Includes.Cmdlet).Count | Should -Be 0
        $record.PublishedDate | Should -Not -BeNullOrEmpty
        ($record.PSObject.TypeNames -join ',') | Should -Not -Match 'Deserialized\.Deserialized'

        $disable = Invoke-Clean @'
$ErrorActionPreference = 'Stop'
Import-Module MgGraph
Disable-MgGraphSdkModule -Scope CurrentUser
'@
        $disable.Exit | Should -Be 0 -Because $disable.Text
        @(Get-ChildItem -Recurse -Force -Filter PSGetModuleInfo.xml $sdk).Count | Should -Be 0
        Test-Path (Join-Path $script:HomeDir '.config/powershell/profile.ps1') | Should -BeFalse -Because 'the profile held only MgGraph''s lines'
        $off = Invoke-Clean $probe -WithProfile
        $off.Exit | Should -Be 0 -Because $off.Text
        foreach ($name in 'Microsoft.Graph', 'Microsoft.Graph.Users', 'Microsoft.Graph.Beta.Users') {
            Get-Reported $off "installed-$name" | Should -Be 'none'
        }
        Get-Reported $off gate | Should -Be 'closed'
        Get-Reported $off mggraph | Should -Be $script:V1
        Get-Reported $off listedcount | Should -Be '0'

        # Enabled again for the Its that follow (they update and uninstall an enabled MgGraph).
        $again = Invoke-Clean @'
$ErrorActionPreference = 'Stop'
Import-Module MgGraph
"records=$((Enable-MgGraphSdkModule -Scope CurrentUser).InstallRecords)"
'@
        $again.Exit | Should -Be 0 -Because $again.Text
        [int](($again.Output | Where-Object { $_ -like 'records=*' }) -replace '^records=') | Should -BeGreaterThan 70
        Get-Reported (Invoke-Clean $probe -WithProfile) gate | Should -Be 'open'
    }

    It 'Update-PSResource to a newer build keeps the token cache working' {
        # A sandbox server from the installed package (a nupkg keeps no file modes: chmod, as
        # the README says), so that the sign-in outlives the process.
        $exe = Join-Path $script:UserModules "MgGraph/$script:V1/runtimes/linux-x64/native/mggraph-sandbox"
        & chmod +x $exe
        $env:MGGRAPH_SANDBOX_BIN = $exe
        try { $script:Server = Start-SandboxServer }
        finally { $env:MGGRAPH_SANDBOX_BIN = $null }
        $S = $script:Server
        $connect = $script:Report + @"
`$ErrorActionPreference = 'Stop'
Import-Module MgGraph
Add-MgEnvironment -Name Local -AzureADEndpoint '$($S.baseUrl)' -GraphEndpoint '$($S.baseUrl)' | Out-Null
Connect-MgGraph -Environment Local -TenantId '$($S.tenantId)' -Scopes 'User.Read.All' -ContextScope CurrentUser -NoWelcome
Report upn (Get-MgUser -UserId '$($S.admin)').UserPrincipalName
Report version (Get-Module MgGraph).Version
"@
        # Signed in once with the browser, on the first version: the cache keeps a refresh token.
        $first = Invoke-Clean $connect -Environment @{ MGGRAPH_BROWSER = Get-BrowserCommand }
        $first.Exit | Should -Be 0 -Because $first.Text
        Get-Reported $first upn | Should -Be $S.admin
        Get-Reported $first version | Should -Be $script:V1
        Test-Path (Join-Path $script:HomeDir '.mggraph/mggraph.tokencache.json') | Should -BeTrue

        $update = Invoke-Clean @"
`$ErrorActionPreference = 'Stop'
Publish-PSResource -NupkgPath '$($script:Nupkg2)' -Repository LocalFeed
Update-PSResource -Name MgGraph -Repository LocalFeed -Scope CurrentUser -TrustRepository
@(Get-InstalledPSResource -Name MgGraph | ForEach-Object { `$_.Version.ToString() }) -join ','
"@
        $update.Exit | Should -Be 0 -Because $update.Text
        ($update.Output[-1] -split ',') | Should -Contain $script:V2

        # The new version signs in silently from the cache (a browser would fail), again in the
        # next process.
        $noBrowser = @{ MGGRAPH_BROWSER = '/nonexistent/browser' }
        $second = Invoke-Clean $connect -Environment $noBrowser
        $second.Exit | Should -Be 0 -Because $second.Text
        Get-Reported $second upn | Should -Be $S.admin
        Get-Reported $second version | Should -Be $script:V2
        $third = Invoke-Clean $connect -Environment $noBrowser
        $third.Exit | Should -Be 0 -Because $third.Text

        # The profile lines follow the update: the SDK names now come from the new version.
        $requires = Invoke-Clean ($script:Report + @'
#Requires -Modules Microsoft.Graph.Users
Report users (Get-Module Microsoft.Graph.Users).ModuleBase
Report core (Get-Module Microsoft.Graph.Authentication).ModuleBase
'@) -WithProfile
        $requires.Exit | Should -Be 0 -Because $requires.Text
        Get-Reported $requires users | Should -Be (Join-Path $script:UserModules "MgGraph/$script:V2/sdk/Microsoft.Graph.Users")
        Get-Reported $requires core | Should -Be (Join-Path $script:UserModules "MgGraph/$script:V2/sdk/Microsoft.Graph.Authentication")
    }

    It 'Uninstall-PSResource of an enabled MgGraph leaves no SDK-named module found, installed or dangling' {
        Stop-SandboxServer $script:Server
        # Uninstalled as a user would, from a session whose profile put the sdk folder on
        # PSModulePath, without Disable-MgGraphSdkModule first.
        $r = Invoke-Clean @'
$ErrorActionPreference = 'Stop'
Uninstall-PSResource -Name MgGraph -Version '*' -Scope CurrentUser
@(Get-InstalledPSResource -Name MgGraph -ErrorAction Ignore).Count
'@ -WithProfile
        $r.Exit | Should -Be 0 -Because $r.Text
        $r.Output[-1] | Should -Be '0'
        # A new session runs the profile lines (they find no MgGraph and do nothing): nothing is
        # installed or listed, and importing an SDK name fails as "not found", not half-way.
        $after = Invoke-Clean ($script:Report + @'
Report installed (@(Get-InstalledModule -ErrorAction SilentlyContinue | ForEach-Object Name) -join ',')
Report gate $(if (Get-InstalledModule Microsoft.Graph -ErrorAction SilentlyContinue) { 'open' } else { 'closed' })
Report listed (@(Get-Module -ListAvailable MgGraph, Microsoft.Graph*).Count)
Report sdkpath (@($env:PSModulePath.Split([IO.Path]::PathSeparator) | Where-Object { $_ -like '*/sdk' }).Count)
try { Import-Module Microsoft.Graph.Users -ErrorAction Stop; Report import 'loaded' }
catch { Report import $_.FullyQualifiedErrorId }
'@) -WithProfile
        $after.Exit | Should -Be 0 -Because $after.Text
        $after.Errors | Should -BeNullOrEmpty -Because 'the profile lines do nothing once MgGraph is gone'
        Get-Reported $after installed | Should -BeNullOrEmpty
        Get-Reported $after gate | Should -Be 'closed'
        Get-Reported $after listed | Should -Be '0'
        Get-Reported $after sdkpath | Should -Be '0'
        Get-Reported $after import | Should -Match '^Modules_ModuleNotFound'
        $cache = Join-Path $script:HomeDir '.mggraph'
        $profilePath = Join-Path $script:HomeDir '.config/powershell/profile.ps1'
        $left = Get-ChildItem -Recurse -Force $script:HomeDir |
            Where-Object { -not $_.FullName.StartsWith($cache) -and $_.FullName.Substring($script:HomeDir.Length) -match 'MgGraph|Microsoft\.Graph|mggraph' }
        (@($left | ForEach-Object FullName) -join ', ') | Should -BeNullOrEmpty
        @(Get-ChildItem $script:UserModules -Force).Count | Should -Be 0
        # The profile keeps only MgGraph's (inert) lines; Disable-MgGraphSdkModule before the
        # uninstall removes them too (the Its above).
        (Get-Content $profilePath -Raw) | Should -Match 'Enable-MgGraphSdkModule'
        # The user cache stays, and holds only the token cache: the compiled layer ships in the
        # package, nothing is emitted or saved per user (README, "User cache").
        Test-Path (Join-Path $cache 'mggraph.tokencache.json') | Should -BeTrue
        @(Get-ChildItem $cache -Recurse -Filter '*.dll').Count | Should -Be 0
    }
}
