<#
.SYNOPSIS
    The installed package's figures (issues 11 and 14): package, installed tree and Azure
    Automation zip sizes, a first call from the install, and a runbook's peak working set.

.DESCRIPTION
    Takes the package .ci/package wrote (target/package), installs it with PSResourceGet from
    a local repository into a temporary home (as Install-PSResource -Scope CurrentUser does),
    and measures, in fresh processes whose module path holds only that install:
    - a first call from the install: Import-Module, Connect-MgGraph -Environment Sandbox, one
      Get-MgUser (the compiled cmdlets and models as the package ships them), against a bare
      pwsh start; medians of -Iterations runs, alternating;
    - a runbook: the walk-through (examples/TapOnboarding.ps1 from the install) and then
      Get-MgUser -All over 100,000 users of a mggraph-sandbox server (the packaged one) into
      Measure-Object, in one process whose peak working set (VmHWM) it reports.
    Prints one JSON line. Figures only: nothing here passes or fails on time.
    With -Update, also rewrites the "Installed package" section of BENCHMARKS.md (the whole
    file is written by Invoke-Benchmarks.ps1, which runs this script).

.EXAMPLE
    bash .ci/package && pwsh -NoProfile -File tests/bench/Install.ps1 -Update BENCHMARKS.md
#>
[CmdletBinding()]
param(
    [string] $PackageDir = (Join-Path $PSScriptRoot '../../target/package'),
    [int] $Iterations = 5,
    [int] $Users = 100000,
    [string] $Update
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')

function Get-FolderBytes([string] $Path) { (Get-ChildItem -Recurse -File $Path | Measure-Object Length -Sum).Sum }
function Get-TreeSizes([string] $Base) {
    # The sizes of an installed (or staged) MgGraph folder.
    $native = Join-Path $Base 'runtimes/linux-x64/native'
    [ordered]@{
        installedBytes = Get-FolderBytes $Base
        engineBytes    = (Get-Item (Join-Path $native 'libmggraph.so')).Length
        serverBytes    = (Get-Item (Join-Path $native 'mggraph-sandbox')).Length
        sdkBytes       = Get-FolderBytes (Join-Path $Base 'sdk')
        assemblyBytes  = (Get-ChildItem -Recurse -File (Join-Path $Base 'sdk') -Filter *.dll | Measure-Object Length -Sum).Sum
    }
}

$nupkg = Get-ChildItem $PackageDir -Filter 'MgGraph.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
$zip = Join-Path $PackageDir 'MgGraph.zip'
if (-not $nupkg -or -not (Test-Path $zip)) {
    # No package (.ci/package stopped after staging): the staged folder's sizes alone, and
    # the Automation zip made from it as .ci/package makes it.
    $stage = Get-ChildItem (Join-Path $PackageDir 'MgGraph') -Directory -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $stage) { throw "no package in ${PackageDir}: run bash .ci/package first" }
    Write-Warning "no .nupkg in ${PackageDir}: the sizes of the staged folder $($stage.FullName) only (no install, no timings)"
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "mggraph-bench-zip-$PID"
    try {
        $null = New-Item -ItemType Directory -Force $tmp
        Copy-Item -Recurse $stage.FullName (Join-Path $tmp 'MgGraph')
        Compress-Archive -Path (Join-Path $tmp 'MgGraph') -DestinationPath (Join-Path $tmp 'MgGraph.zip') -CompressionLevel Optimal
        $result = [ordered]@{
            source = "MgGraph $($stage.Name) as ``.ci/package`` stages it (linux-x64, with the compiled cmdlets and models; the folder ``Install-PSResource`` lays out), measured on disk: ``.ci/package`` wrote no ``.nupkg`` in this run, so nothing was installed or timed (``tests/bench/Install.ps1``); the Automation zip is that folder zipped as ``.ci/package`` zips it."
            version = $stage.Name; automationZipBytes = (Get-Item (Join-Path $tmp 'MgGraph.zip')).Length
        }
        $sizes = Get-TreeSizes $stage.FullName
        foreach ($k in $sizes.Keys) { $result[$k] = $sizes[$k] }
    }
    finally { Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue }
    if ($Update) {
        $text = Get-Content $Update -Raw
        $section = (Format-InstallSection $result) -join "`n"
        $pattern = '(?ms)^## Installed package\n.*?(?=^## |\z)'
        $text = if ($text -match $pattern) { [regex]::Replace($text, $pattern, $section + "`n") } else { $text.TrimEnd() + "`n`n" + $section + "`n" }
        Set-Content -Path $Update -Value $text -NoNewline -Encoding utf8
    }
    $result | ConvertTo-Json -Compress
    return
}
$version = $nupkg.BaseName.Substring('MgGraph.'.Length)

$root = Join-Path ([IO.Path]::GetTempPath()) "mggraph-bench-install-$PID"
$homeDir = Join-Path $root 'home'
$modules = Join-Path $homeDir '.local/share/powershell/Modules'
$null = New-Item -ItemType Directory -Force (Join-Path $root 'feed'), (Join-Path $homeDir '.config'), (Join-Path $homeDir '.local/share'), (Join-Path $homeDir '.cache')
$launcher = (Get-PwshCommand).Split(' ')

function Start-Clean {
    # A fresh pwsh with only the temporary home, its module path and the system PATH.
    param([string[]] $Arguments, [hashtable] $Environment = @{})
    $psi = [System.Diagnostics.ProcessStartInfo]::new($launcher[0])
    foreach ($a in @($launcher | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $homeDir
    $psi.Environment.Clear()
    $psi.Environment['HOME'] = $homeDir
    $psi.Environment['PATH'] = "$([IO.Path]::GetDirectoryName($launcher[0])):/usr/bin:/bin"
    $psi.Environment['PSModulePath'] = $modules
    $psi.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
    $psi.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
    foreach ($k in 'DOTNET_ROOT', 'LANG', 'TMPDIR') { if ([Environment]::GetEnvironmentVariable($k)) { $psi.Environment[$k] = [Environment]::GetEnvironmentVariable($k) } }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $err = $p.StandardError.ReadToEndAsync()
    $out = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    $ms = $sw.Elapsed.TotalMilliseconds
    if ($p.ExitCode -ne 0) { throw "pwsh $Arguments failed ($($p.ExitCode)): $($err.Result) $out" }
    [pscustomobject]@{ Ms = $ms; Output = $out }
}

$server = $null
try {
    Write-Host "  installing MgGraph $version into a temporary home"
    $null = Start-Clean @('-Command', "`$ErrorActionPreference = 'Stop'; Register-PSResourceRepository -Name BenchFeed -Uri '$root/feed' -Trusted; Publish-PSResource -NupkgPath '$($nupkg.FullName)' -Repository BenchFeed; Install-PSResource -Name MgGraph -Repository BenchFeed -Scope CurrentUser -TrustRepository")
    $base = Join-Path $modules "MgGraph/$version"
    $native = Join-Path $base 'runtimes/linux-x64/native'

    # --- A first call from the install ----------------------------------------------------
    Write-Host "  first call from the install: $Iterations fresh processes each, alternating"
    $first = "`$ErrorActionPreference = 'Stop'; Import-Module MgGraph; Connect-MgGraph -Environment Sandbox -NoWelcome; `$null = Get-MgUser -UserId admin@contoso.onmicrosoft.com; exit"
    $null = Start-Clean @('-Command', 'exit')   # page the runtime in before anything is timed
    $null = Start-Clean @('-Command', $first)    # and the module analysis cache of the new home
    $bare = [System.Collections.Generic.List[double]]::new()
    $firstCall = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Iterations; $i++) {
        $bare.Add((Start-Clean @('-Command', 'exit')).Ms)
        $firstCall.Add((Start-Clean @('-Command', $first)).Ms)
    }
    $load = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 1

    # --- A runbook ------------------------------------------------------------------------
    Write-Host "  runbook: the walk-through, then Get-MgUser -All over $Users users"
    & chmod +x (Join-Path $native 'mggraph-sandbox')   # a nupkg keeps no file modes
    $env:MGGRAPH_SANDBOX_BIN = Join-Path $native 'mggraph-sandbox'
    try { $server = Start-SandboxServer -Arguments @('--empty', '--seed-users', "$Users") }
    finally { $env:MGGRAPH_SANDBOX_BIN = $null }
    $runbook = Join-Path $root 'Runbook.ps1'
    Set-Content -Path $runbook -Value @'
param([string] $BaseUrl, [string] $TenantId, [string] $ClientId, [string] $Secret, [int] $Expected)
$ErrorActionPreference = 'Stop'
$sw = [Diagnostics.Stopwatch]::StartNew()
$base = (Get-Module -ListAvailable MgGraph).ModuleBase
$null = & "$base/examples/TapOnboarding.ps1" 6>&1
Add-MgEnvironment -Name Tenant -AzureADEndpoint $BaseUrl -GraphEndpoint $BaseUrl | Out-Null
Connect-MgGraph -Environment Tenant -TenantId $TenantId -NoWelcome -ClientSecretCredential ([pscredential]::new($ClientId, (ConvertTo-SecureString $Secret -AsPlainText -Force)))
$count = (Get-MgUser -All | Measure-Object).Count
if ($count -lt $Expected) { throw "Get-MgUser -All gave $count users, expected $Expected" }
# The process's peak resident set (Linux VmHWM), what an Automation sandbox's memory limit sees.
$peak = [double]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', '') / 1KB
'{{"users":{0},"seconds":{1},"peakMb":{2}}}' -f $count, $sw.Elapsed.TotalSeconds, $peak
'@
    $rb = Start-Clean @('-File', $runbook, $server.baseUrl, $server.tenantId, $server.clientId, $server.clientSecret, "$Users")
    $runbookResult = (@($rb.Output -split '\r?\n') | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json

    $result = [ordered]@{
        version          = $version
        nupkgBytes       = $nupkg.Length
        automationZipBytes = (Get-Item $zip).Length
        installedBytes   = Get-FolderBytes $base
        engineBytes      = (Get-Item (Join-Path $native 'libmggraph.so')).Length
        serverBytes      = (Get-Item (Join-Path $native 'mggraph-sandbox')).Length
        sdkBytes         = Get-FolderBytes (Join-Path $base 'sdk')
        assemblyBytes    = (Get-ChildItem -Recurse -File (Join-Path $base 'sdk') -Filter *.dll | Measure-Object Length -Sum).Sum
        iterations       = $Iterations
        bareMs           = Get-Median $bare
        firstMs          = Get-Median $firstCall
        loadAverage      = $load
        runbookUsers     = $runbookResult.users
        runbookSeconds   = $runbookResult.seconds
        runbookPeakMb    = $runbookResult.peakMb
    }
}
finally {
    Stop-SandboxServer $server
    Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
}

if ($Update) {
    $text = Get-Content $Update -Raw
    $section = (Format-InstallSection $result) -join "`n"
    $pattern = '(?ms)^## Installed package\n.*?(?=^## |\z)'
    $text = if ($text -match $pattern) { [regex]::Replace($text, $pattern, $section + "`n") } else { $text.TrimEnd() + "`n`n" + $section + "`n" }
    Set-Content -Path $Update -Value $text -NoNewline -Encoding utf8
    Write-Host "updated the 'Installed package' section of $Update"
}
$result | ConvertTo-Json -Compress
