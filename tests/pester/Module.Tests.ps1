Set-StrictMode -Version Latest

BeforeDiscovery {
    $script:ModuleDir = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module/MgGraph'))
    $manifest = Import-PowerShellDataFile (Join-Path $script:ModuleDir 'MgGraph.psd1')
    $script:Exported = @($manifest.FunctionsToExport | ForEach-Object { @{ Name = $_ } })
    $script:TestFiles = @(Get-ChildItem $PSScriptRoot -Filter '*.ps1' | ForEach-Object { @{ File = $_.FullName; Name = $_.Name } })
    # The interop assembly is saved only where .NET can persist emitted assemblies (9 and later).
    $script:CanPersist = [bool]('System.Reflection.Emit.PersistedAssemblyBuilder' -as [type])
    # Tests that hand a file to another user need root (chown).
    $script:NotRoot = $IsWindows -or (& id -u) -ne '0'
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

    It 'exports exactly the functions the module defines, listed explicitly' {
        $text = Get-Content (Join-Path $script:ModuleDir 'MgGraph.psd1') -Raw
        $text | Should -Not -Match "FunctionsToExport\s*=\s*'\*'"
        $defined = (Get-Command -Module MgGraph -CommandType Function).Name | Sort-Object
        $listed = $script:Manifest.ExportedFunctions.Keys | Sort-Object
        $defined | Should -Be $listed
    }

    It 'exports the SDK aliases' {
        (Get-Alias Connect-Graph).ResolvedCommandName | Should -Be 'Connect-MgGraph'
        (Get-Alias Invoke-GraphRequest).ResolvedCommandName | Should -Be 'Invoke-MgGraphRequest'
        (Get-Alias Disconnect-Graph).ResolvedCommandName | Should -Be 'Disconnect-MgGraph'
    }

    It 'auto-loads from PSModulePath without Import-Module' {
        $root = Split-Path $script:ModuleDir -Parent
        $out = pwsh -NoProfile -Command "`$env:PSModulePath = '$root' + [IO.Path]::PathSeparator + `$env:PSModulePath; (Get-Command Get-MgUser).Module.Name; (Get-Command Connect-MgGraph).Module.Name; Get-MgContext; 'ok'"
        $LASTEXITCODE | Should -Be 0
        # Graph cmdlets come from their SDK-named module, running on the MgGraph core.
        $out | Should -Be @('Microsoft.Graph.Users', 'MgGraph', 'ok')
    }
}

Describe 'Exported command <Name>' -ForEach $script:Exported {
    BeforeAll { $script:Command = Get-Command $Name -Module MgGraph }

    It 'is an advanced function with an approved verb' {
        $script:Command.CmdletBinding | Should -BeTrue
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

Describe 'The interop assembly cache' {
    BeforeAll {
        # Runs the first Get-MgUser of a fresh process; returns the output type, where the
        # interop assembly came from, and the files in the cache directory.
        function Invoke-FreshProcess {
            param([string] $CacheDir, [hashtable] $Environment = @{})
            $assignments = foreach ($k in $Environment.Keys) { "`$env:$k = '$($Environment[$k])';" }
            $command = "`$env:MGGRAPH_CACHE_DIR = '$CacheDir'; `$env:MGGRAPH_ASSEMBLY_CACHE = `$null; $($assignments -join ' ') `$ErrorActionPreference = 'Stop'; " +
            "Import-Module '$script:ModuleDir/MgGraph.psd1'; Connect-MgGraph -Environment Sandbox -NoWelcome; " +
            "(Get-MgUser -UserId admin@contoso.onmicrosoft.com).GetType().FullName; & (Get-Module MgGraph) { (Get-MgInterop).Source }"
            $out = @(pwsh -NoProfile -NonInteractive -Command $command 2>&1)
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $files = if (Test-Path -PathType Container $CacheDir) { @(Get-ChildItem $CacheDir -Filter 'MgGraph.Interop.*').Name } else { @() }
            @{ Type = [string]$out[0]; Source = [string]$out[1]; Files = @($files) }
        }
        $script:Engine = & (Get-Module MgGraph) { Get-MgNativeLibraryPath }
    }

    BeforeEach {
        $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "mggraph-interop-$([guid]::NewGuid().ToString('n'))"
        $script:SuiteCacheDir = $env:MGGRAPH_CACHE_DIR
    }

    AfterEach {
        Remove-Item -Recurse -Force $script:Dir -ErrorAction SilentlyContinue
    }

    It 'is saved by the first process and loaded by the next, named by the module build id' -Skip:(-not $script:CanPersist) {
        $first = Invoke-FreshProcess -CacheDir $script:Dir
        $first.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        $first.Source | Should -Be 'Saved'
        $buildId = & (Get-Module MgGraph) { $script:MgBuildId }
        @($first.Files).Count | Should -Be 1
        $first.Files[0] | Should -Match "^MgGraph\.Interop\.$buildId\.[0-9a-f]{8}\.dll$"
        if (-not $IsWindows) {
            [IO.File]::GetUnixFileMode((Join-Path $script:Dir $first.Files[0])) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }

        $second = Invoke-FreshProcess -CacheDir $script:Dir
        $second.Source | Should -Be 'Cache'
        $second.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        $second.Files | Should -Be $first.Files
    }

    It 'emits the assembly again over a damaged file, and replaces it' -Skip:(-not $script:CanPersist) {
        $null = Invoke-FreshProcess -CacheDir $script:Dir
        $file = Get-ChildItem $script:Dir -Filter 'MgGraph.Interop.*.dll'
        [IO.File]::WriteAllBytes($file.FullName, [byte[]](1..200))

        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Saved'
        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Cache'
    }

    It 'keeps one assembly per engine, and refuses one bound to another engine' -Skip:(-not $script:CanPersist) {
        $mine = Invoke-FreshProcess -CacheDir $script:Dir
        $copy = Join-Path $script:Dir ([IO.Path]::GetFileName($script:Engine))
        Copy-Item $script:Engine $copy
        $other = Invoke-FreshProcess -CacheDir $script:Dir -Environment @{ MGGRAPH_NATIVE_LIBRARY = $copy }
        $other.Source | Should -Be 'Saved'
        $other.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        @($other.Files).Count | Should -Be 2
        # Used in turn, neither evicts the other.
        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Cache'
        (Invoke-FreshProcess -CacheDir $script:Dir -Environment @{ MGGRAPH_NATIVE_LIBRARY = $copy }).Source | Should -Be 'Cache'

        # The other engine's file under this engine's name: its origin does not match.
        $otherFile = @($other.Files | Where-Object { $_ -ne $mine.Files[0] })[0]
        Copy-Item (Join-Path $script:Dir $otherFile) (Join-Path $script:Dir $mine.Files[0]) -Force
        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Saved'
    }

    It 'loads nothing from a directory other users can write to' -Skip:($IsWindows -or -not $script:CanPersist) {
        $null = Invoke-FreshProcess -CacheDir $script:Dir
        [IO.File]::SetUnixFileMode($script:Dir, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupWrite, GroupExecute, OtherRead, OtherWrite, OtherExecute')
        $shared = Invoke-FreshProcess -CacheDir $script:Dir
        $shared.Source | Should -Be 'Memory'
        $shared.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
    }

    It 'loads nothing from a directory another user owns, even one only its owner can write to' -Skip:($IsWindows -or -not $script:CanPersist -or $script:NotRoot) {
        # chown needs root (CI runs the suite as root); nobody plays the other user.
        $null = Invoke-FreshProcess -CacheDir $script:Dir
        $file = @(Get-ChildItem $script:Dir -Filter 'MgGraph.Interop.*.dll')[0].FullName
        & chown -R nobody $script:Dir
        [IO.File]::SetUnixFileMode($script:Dir, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
        [IO.File]::SetUnixFileMode($file, [IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        $foreign = Invoke-FreshProcess -CacheDir $script:Dir
        $foreign.Source | Should -Be 'Memory'
        $foreign.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        (Get-Item $file).User | Should -Be 'nobody' -Because 'nothing is written to a directory another user owns'
    }

    It 'replaces a file another user owns in the user''s own directory instead of loading it' -Skip:($IsWindows -or -not $script:CanPersist -or $script:NotRoot) {
        $null = Invoke-FreshProcess -CacheDir $script:Dir
        $file = @(Get-ChildItem $script:Dir -Filter 'MgGraph.Interop.*.dll')[0].FullName
        & chown nobody $file
        [IO.File]::SetUnixFileMode($file, [IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Saved'
        (Get-Item $file).User | Should -Not -Be 'nobody'
        (Invoke-FreshProcess -CacheDir $script:Dir).Source | Should -Be 'Cache'
    }

    It 'works without a cache when it is turned off or cannot be written' -Skip:(-not $script:CanPersist) {
        $off = Invoke-FreshProcess -CacheDir $script:Dir -Environment @{ MGGRAPH_ASSEMBLY_CACHE = '0' }
        $off.Source | Should -Be 'Memory'
        $off.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        $off.Files | Should -BeNullOrEmpty

        # A file where the directory should be: nothing can be saved there.
        Set-Content -Path $script:Dir -Value 'not a directory'
        $unsaved = Invoke-FreshProcess -CacheDir $script:Dir
        $unsaved.Source | Should -Be 'Unsaved'
        $unsaved.Type | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
    }

    It 'gives another build of the module imported into the same process its own classes' {
        $env:MGGRAPH_CACHE_DIR = $script:Dir
        try {
            $same, $other, $again = & (Get-Module MgGraph) {
                $mine = Get-MgInterop
                $saved = $script:MgBuildId
                $script:MgBuildId = 'another-build'
                try { $theirs = Get-MgInterop } finally { $script:MgBuildId = $saved }
                $mine, $theirs, (Get-MgInterop)
            }
            [object]::ReferenceEquals($same, $again) | Should -BeTrue
            [object]::ReferenceEquals($same.Assembly, $other.Assembly) | Should -BeFalse
            $other.Native.GetMethod('mggraph_version') | Should -Not -BeNullOrEmpty
        }
        finally { $env:MGGRAPH_CACHE_DIR = $script:SuiteCacheDir }
    }

    It 'leaves no temporary file behind when a save fails' {
        $null = New-Item -ItemType Directory -Path (Join-Path $script:Dir 'MgGraph.Interop.x.dll')
        { & (Get-Module MgGraph) { param($Path) Save-MgInteropImage -Path $Path -Bytes ([byte[]]@(1)) } (Join-Path $script:Dir 'MgGraph.Interop.x.dll') } |
            Should -Throw
        @(Get-ChildItem $script:Dir -Filter '*.tmp') | Should -BeNullOrEmpty
    }

    It 'keeps the files of the eight most recent builds, the one just written included' {
        $null = New-Item -ItemType Directory -Path $script:Dir
        foreach ($i in 1..10) {
            $old = Join-Path $script:Dir "MgGraph.Interop.old$i.dll"
            [IO.File]::WriteAllBytes($old, [byte[]]@(1))
            [IO.File]::SetLastWriteTimeUtc($old, [datetime]::UtcNow.AddDays(-$i))
        }
        $new = Join-Path $script:Dir 'MgGraph.Interop.new.dll'
        & (Get-Module MgGraph) { param($Path) Save-MgInteropImage -Path $Path -Bytes ([byte[]]@(1, 2)) } $new

        $left = @(Get-ChildItem $script:Dir -Filter 'MgGraph.Interop.*').Name | Sort-Object
        $left | Should -Be (@('MgGraph.Interop.new.dll') + @(1..7 | ForEach-Object { "MgGraph.Interop.old$_.dll" }) | Sort-Object)
        [IO.File]::ReadAllBytes($new) | Should -Be @(1, 2)
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
        $json = & (Get-Module MgGraph) { param($v) ConvertTo-MgJsonText $v } $value
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
}
