<#
.SYNOPSIS
    Runs MgGraph's benchmarks side by side with the alternatives and writes BENCHMARKS.md.

.DESCRIPTION
    Each comparison runs in one go on this machine, as a ratio: import and first call (fresh
    processes against a bare pwsh start), per-call cost against Invoke-RestMethod, -All over
    100,000 users against raw page fetches (time and working set), bulk TAP issuing under a
    throttling budget against a sequential loop and ForEach-Object -Parallel, the installed
    package (sizes, first call after an install, a runbook's peak working set: Install.ps1,
    which needs .ci/package first), and the sandbox server's own throughput under wrk. Benchmarks print figures; they never pass or fail on
    time (the tests do not time anything either).

.EXAMPLE
    pwsh -NoProfile -File tests/bench/Invoke-Benchmarks.ps1

.EXAMPLE
    pwsh -NoProfile -File tests/bench/Invoke-Benchmarks.ps1 -Output /tmp/bench.md -Iterations 5
#>
[CmdletBinding()]
param(
    [string] $Output = (Join-Path $PSScriptRoot '../../BENCHMARKS.md'),
    # Fresh processes per contender for the start-up figures (the median counts).
    [int] $Iterations = 10,
    # A ReadyToRun-compiled copy of this PowerShell (pwsh.dll), as Microsoft's own packages
    # ship it; .ci/bench makes one. The start-up and per-call figures are taken with it too.
    [string] $ReadyToRunPwsh
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')

$repo = Get-RepoPath ''
$moduleDir = Join-Path $repo 'module'
# The benchmarks measure this checkout's release engine.
Remove-Item Env:MGGRAPH_NATIVE_LIBRARY -ErrorAction SilentlyContinue
$env:PSModulePath = $moduleDir + [IO.Path]::PathSeparator + $env:PSModulePath

function Get-PwshLauncher {
    # The file and leading arguments that start PowerShell (a .NET global tool's pwsh may
    # only exist as pwsh.dll behind the dotnet host).
    $cmd = Get-PwshCommand
    if ($cmd -match '^(\S+) (\S+pwsh\.dll)$') { return @($Matches[1], $Matches[2]) }
    , @($cmd)
}
$installed = Get-PwshLauncher
$launcher = $installed

# A module with nothing in it: what PowerShell's own module loading costs, for comparison.
$emptyDir = Join-Path ([IO.Path]::GetTempPath()) "mggraph-bench-$PID"
$null = New-Item -ItemType Directory -Force -Path (Join-Path $emptyDir 'MgEmpty')
Set-Content -Path (Join-Path $emptyDir 'MgEmpty/MgEmpty.psm1') -Value 'function Get-MgEmpty { [CmdletBinding()] param() }'
Set-Content -Path (Join-Path $emptyDir 'MgEmpty/MgEmpty.psd1') -Value "@{ RootModule = 'MgEmpty.psm1'; ModuleVersion = '0.1.0'; GUID = '6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34'; FunctionsToExport = @('Get-MgEmpty'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }"
$env:PSModulePath = $emptyDir + [IO.Path]::PathSeparator + $env:PSModulePath
# The module's files (the interop assembly, Interop.ps1) go here, not to the user's home,
# and not below a PSModulePath folder (module discovery would scan them).
$cacheRoot = Join-Path ([IO.Path]::GetTempPath()) "mggraph-bench-cache-$PID"
$env:MGGRAPH_CACHE_DIR = Join-Path $cacheRoot 'cache'

function Invoke-Fresh([string] $Command) {
    # Wall time (ms) of a new pwsh process running $Command; fails loudly when it fails.
    $psi = [System.Diagnostics.ProcessStartInfo]::new($launcher[0])
    foreach ($a in @($launcher | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEnd()
    $p.WaitForExit()
    $ms = $sw.Elapsed.TotalMilliseconds
    if ($p.ExitCode -ne 0) { throw "pwsh -Command '$Command' failed ($($p.ExitCode)): $stderr $($stdout.Result)" }
    $ms
}

function Invoke-Child([string] $Script, [string[]] $Arguments = @()) {
    # Runs a benchmark script in a fresh pwsh; returns its JSON result line.
    Write-Host "  running $Script $Arguments"
    $file = Join-Path $PSScriptRoot $Script
    $out = & $launcher[0] @($launcher | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Script failed ($LASTEXITCODE): $out" }
    (@($out) | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
}

function Format-Ratio([double] $Value) { '{0:n2}' -f $Value }
function Format-Met([bool] $Ok) { if ($Ok) { 'yes' } else { '**no**' } }

$results = [ordered]@{}

# The largest generated module (most cmdlets), and the installed size of the module tree.
function Get-ScriptBytes([string] $Dir) {
    # A module folder's script size; a manifest-only module (a meta-module) has none.
    $m = Get-ChildItem $Dir -Filter *.psm1 | Measure-Object Length -Sum
    if ($m) { $m.Sum } else { 0 }
}
$largestModule = (Get-ChildItem $moduleDir -Directory -Filter 'Microsoft.Graph.*' | Sort-Object { Get-ScriptBytes $_.FullName } -Descending | Select-Object -First 1).Name
$largestCount = (Import-PowerShellDataFile (Join-Path $moduleDir "$largestModule/$largestModule.psd1")).FunctionsToExport.Count
$engineFile = Join-Path $repo 'target/release/libmggraph.so'
$treeBytes = (Get-ChildItem $moduleDir -Recurse -File | Measure-Object Length -Sum).Sum + (Get-Item $engineFile).Length
$moduleCount = @(Get-ChildItem $moduleDir -Directory -Filter 'Microsoft.Graph*').Count
$cmdletCount = (Get-ChildItem $moduleDir -Directory -Filter 'Microsoft.Graph.*' | ForEach-Object { (Import-PowerShellDataFile (Join-Path $_.FullName "$($_.Name).psd1")).FunctionsToExport.Count } | Measure-Object -Sum).Sum

function Measure-Startup {
    # Medians of fresh processes: bare start, an empty module, MgGraph, and a first call.
    $runs = @{ bare = 'exit'; empty = 'Import-Module MgEmpty -ErrorAction Stop; exit'; import = 'Import-Module MgGraph -ErrorAction Stop; exit'
        first = 'Connect-MgGraph -Environment Sandbox -NoWelcome -ErrorAction Stop; $null = Get-MgUser -UserId admin@contoso.onmicrosoft.com -ErrorAction Stop; exit'
        importUsers = 'Import-Module Microsoft.Graph.Users -ErrorAction Stop; exit'
        importLargest = "Import-Module $largestModule -ErrorAction Stop; exit"
        # Five modules auto-loaded by their cmdlets (Users, Groups, Identity.SignIns,
        # Applications, Identity.DirectoryManagement); a 4xx answer still loads the module.
        fiveModules = 'Connect-MgGraph -Environment Sandbox -NoWelcome -ErrorAction Stop; $null = Get-MgUser -Top 1; $null = Get-MgGroup -Top 1; $null = Get-MgUserAuthenticationMethod -UserId admin@contoso.onmicrosoft.com; $null = Get-MgApplication -Top 1; $null = Get-MgOrganization -ErrorAction SilentlyContinue; exit'
        listAll = '$null = Get-Command -Module Microsoft.Graph*; exit'
    }
    # The first process after an install or upgrade also emits and saves the interop assembly:
    # the same command with a cache directory of its own each time.
    $runs.firstEver = "`$env:MGGRAPH_CACHE_DIR = Join-Path '$cacheRoot' ([guid]::NewGuid()); " + $runs.first
    $times = @{}
    foreach ($k in $runs.Keys) { $times[$k] = [System.Collections.Generic.List[double]]::new() }
    $null = Invoke-Fresh 'exit'   # page the runtime in before anything is timed
    $null = Invoke-Fresh $runs.first   # and save the interop assembly that 'first' loads
    for ($i = 0; $i -lt $Iterations; $i++) {
        foreach ($k in 'bare', 'empty', 'import', 'first', 'firstEver', 'importUsers', 'importLargest', 'fiveModules', 'listAll') { $times[$k].Add((Invoke-Fresh $runs[$k])) }
    }
    $out = @{}
    foreach ($k in $runs.Keys) { $out[$k] = Get-Median $times[$k] }
    $out
}

function Measure-PerCall([int] $Warmup) {
    # Three processes; the run with the median ratio counts (one run swings by 20 % on a
    # shared 2-core machine).
    $runs = @(1..3 | ForEach-Object { Invoke-Child 'PerCall.ps1' @('-Warmup', "$Warmup") })
    $runs | Sort-Object { $_.mgMs / $_.irmMs } | Select-Object -Index 1
}

$flavours = [ordered]@{ installed = $installed }
if ($ReadyToRunPwsh) {
    # pwsh.dll runs on the dotnet host.
    $dotnet = Get-Command dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $flavours.readyToRun = @($dotnet.Source, $ReadyToRunPwsh)
}
$results.startup = [ordered]@{}
$results.perCallCold = [ordered]@{}
$results.perCallWarm = [ordered]@{}
foreach ($flavour in $flavours.Keys) {
    $launcher = $flavours[$flavour]
    Write-Host "start-up ($flavour pwsh): bare, empty module, Import-Module MgGraph, first Get-MgUser"
    $results.startup[$flavour] = Measure-Startup
    Write-Host "per call ($flavour pwsh): Get-MgUser -UserId against Invoke-RestMethod"
    $results.perCallCold[$flavour] = Measure-PerCall 100
    $results.perCallWarm[$flavour] = Measure-PerCall 3000
}
$launcher = $installed

# --- The generated surface --------------------------------------------------------------
Write-Host 'surface: first call of a cmdlet with a new model; memory after importing everything'
$results.surface = Invoke-Child 'Surface.ps1'

# --- -All ------------------------------------------------------------------------------
Write-Host '-All: 100,000 users'
$results.all = Invoke-Child 'All.ps1' @('-Users', '100000')

# --- Bulk ------------------------------------------------------------------------------
Write-Host 'bulk: 2,000 passes at 100 ms latency and 200 requests/s'
$results.bulk = Invoke-Child 'Bulk.ps1'

# --- Installed package -----------------------------------------------------------------
Write-Host 'installed package: sizes, first call after the install, runbook peak working set'
$results.install = Invoke-Child 'Install.ps1'

# --- Sandbox server --------------------------------------------------------------------
Write-Host 'sandbox server: wrk on GET /v1.0/users/{id}'
$wrk = Get-Command wrk -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($wrk) {
    $server = Start-SandboxServer
    try {
        $body = @{ grant_type = 'client_credentials'; client_id = $server.clientId; client_secret = $server.clientSecret; scope = 'https://graph.microsoft.com/.default' }
        $token = (Invoke-RestMethod -Method Post -Uri "$($server.baseUrl)/$($server.tenantId)/oauth2/v2.0/token" -Body $body).access_token
        $id = (Invoke-RestMethod -Uri "$($server.baseUrl)/v1.0/users/$($server.admin)" -Headers @{ Authorization = "Bearer $token" }).id
        $url = "$($server.baseUrl)/v1.0/users/$id"
        $text = (& $wrk.Source -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" $url) -join "`n"
        if ($text -notmatch 'Requests/sec:\s+([\d.]+)') { throw "wrk gave no figure: $text" }
        $rps = [double]$Matches[1]
        $p99 = if ($text -match '(?m)^\s*99%\s+(\S+)') { $Matches[1] } else { '?' }
        $non2xx = if ($text -match 'Non-2xx or 3xx responses:\s+(\d+)') { [int]$Matches[1] } else { 0 }
        $results.server = @{ rps = $rps; p99 = $p99; non2xx = $non2xx; version = ((& $wrk.Source --version 2>&1) -join ' ' -replace '\s+Copyright.*', '').Trim() }
    }
    finally { Stop-SandboxServer $server }
}
else {
    Write-Warning 'wrk is not installed (apt-get install wrk): the sandbox server benchmark is skipped'
    $results.server = $null
}

# --- Report ----------------------------------------------------------------------------
Remove-Item -Recurse -Force $emptyDir, $cacheRoot -ErrorAction SilentlyContinue
$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$memGb = [math]::Round(((Get-Content /proc/meminfo -ErrorAction SilentlyContinue | Select-Object -First 1) -replace '\D', '') / 1MB, 1)
$os = (Get-Content /etc/os-release -ErrorAction SilentlyContinue | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', ''
$commit = (git -C $repo rev-parse --short HEAD 2>$null)
$dirty = if (git -C $repo status --porcelain 2>$null) { ' (with uncommitted changes)' } else { '' }
$rustc = (rustc -V 2>$null)
$names = @{ installed = 'pwsh as installed here (.NET tool, not ReadyToRun)'; readyToRun = 'the same pwsh ReadyToRun-compiled (as Microsoft ships it)' }

$a = $results.all
$b = $results.bulk
$bulkOk = $b.mggraph.results -eq $b.mggraph.inputs -and $b.mggraph.errors -eq 0 -and $b.mggraph.issued -eq $b.mggraph.inputs
$lines = [System.Collections.Generic.List[string]]::new()
$add = { param($l) $lines.Add($l) }
& $add '# MgGraph benchmarks'
& $add ''
& $add "Written by ``.ci/bench`` (``tests/bench/Invoke-Benchmarks.ps1``) on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC, commit $commit$dirty."
& $add ''
& $add "Machine: $cpu, $([Environment]::ProcessorCount) cores, $memGb GiB; $os; PowerShell $($PSVersionTable.PSVersion); $rustc; release build. The sandbox server runs on the same machine, on loopback, so every figure below shares the two cores with it."
& $add ''
& $add '| Benchmark | MgGraph | Alternative | Ratio | Target | Met |'
& $add '|---|---|---|---|---|---|'
foreach ($flavour in $results.startup.Keys) {
    $st = $results.startup[$flavour]
    $importOver = $st.import - $st.bare
    & $add ("| ``Import-Module MgGraph`` over a bare ``pwsh -NoProfile`` start; {0} | +{1:n0} ms (an empty module: +{2:n0} ms) | bare start {3:n0} ms | - | <= 150 ms | {4} |" -f $names[$flavour], $importOver, ($st.empty - $st.bare), $st.bare, (Format-Met ($importOver -le 150)))
    & $add ("| First ``Get-MgUser`` in a fresh process (import, connect to the sandbox, one call) over the bare start; {0} | +{1:n0} ms | SDK users report ~3,500 ms | - | <= 300 ms | {2} |" -f $names[$flavour], ($st.first - $st.bare), (Format-Met (($st.first - $st.bare) -le 300)))
}
foreach ($flavour in $results.startup.Keys) {
    $st = $results.startup[$flavour]
    & $add ("| ``Import-Module Microsoft.Graph.Users`` over the bare start; {0} | +{1:n0} ms | - | - | <= 150 ms | {2} |" -f $names[$flavour], ($st.importUsers - $st.bare), (Format-Met (($st.importUsers - $st.bare) -le 150)))
    & $add ("| ``Import-Module $largestModule`` (the largest: $largestCount cmdlets) over the bare start; {0} | +{1:n0} ms | - | - | <= 150 ms | {2} |" -f $names[$flavour], ($st.importLargest - $st.bare), (Format-Met (($st.importLargest - $st.bare) -le 150)))
    & $add ("| A fresh process calling cmdlets of five modules (auto-loaded) against the sandbox, over the bare start; {0} | +{1:n0} ms | - | - | <= 300 ms | {2} |" -f $names[$flavour], ($st.fiveModules - $st.bare), (Format-Met (($st.fiveModules - $st.bare) -le 300)))
    & $add ("| ``Get-Command -Module Microsoft.Graph*`` listing all $cmdletCount cmdlets of $moduleCount modules, fresh process; {0} | {1:n0} ms | - | - | <= 1,000 ms | {2} |" -f $names[$flavour], ($st.listAll - $st.bare), (Format-Met (($st.listAll - $st.bare) -le 1000)))
}
$sf = $results.surface
& $add ("| First call of a cmdlet whose model is not used yet (``Get-MgApplication``) over a warm call | +{0:n1} ms ({1:n1} vs {2:n1} ms) | - | - | <= 20 ms | {3} |" -f ($sf.firstMs - $sf.warmMs), $sf.firstMs, $sf.warmMs, (Format-Met (($sf.firstMs - $sf.warmMs) -le 20)))
& $add ("| Working set after importing every module (``Microsoft.Graph`` and ``Microsoft.Graph.Beta``, $($sf.modules) modules) | +{0:n0} MB | - | - | <= 50 MB | {1} |" -f ($sf.afterMb - $sf.beforeMb), (Format-Met (($sf.afterMb - $sf.beforeMb) -le 50)))
& $add ("| Installed size of the module tree with the engine | {0:n1} MB | the SDK: 1,060 MB | - | <= 30 MB | {1} |" -f ($treeBytes / 1MB), (Format-Met ($treeBytes -le 30MB)))
foreach ($flavour in $results.perCallWarm.Keys) {
    $pc = $results.perCallWarm[$flavour]
    $cold = $results.perCallCold[$flavour]
    & $add ("| 1,000 ``Get-MgUser -UserId`` vs 1,000 ``Invoke-RestMethod``, warm (after 3,000 calls each); {0} | {1:n0} ms | {2:n0} ms | {3} | <= 0.8 | {4} |" -f $names[$flavour], $pc.mgMs, $pc.irmMs, (Format-Ratio ($pc.mgMs / $pc.irmMs)), (Format-Met ($pc.mgMs -le 0.8 * $pc.irmMs)))
    & $add ("| The same, cold (after 100 calls each); {0} | {1:n0} ms | {2:n0} ms | {3} | <= 1.0 | {4} |" -f $names[$flavour], $cold.mgMs, $cold.irmMs, (Format-Ratio ($cold.mgMs / $cold.irmMs)), (Format-Met ($cold.mgMs -le $cold.irmMs)))
}
& $add ("| ``Get-MgUser -All`` (100,000 users, page 999) into ``Measure-Object`` vs an ``Invoke-RestMethod`` nextLink loop | {0:n2} s | {1:n2} s | {2} | <= 1.25 | {3} |" -f $a.mgSeconds, $a.irmSeconds, (Format-Ratio ($a.mgSeconds / $a.irmSeconds)), (Format-Met ($a.mgSeconds -le 1.25 * $a.irmSeconds)))
& $add ("| The same vs the bare page fetch (HttpClient, text only, no objects) | {0:n2} s | {1:n2} s | {2} | <= 1.25 | {3} |" -f $a.mgSeconds, $a.httpSeconds, (Format-Ratio ($a.mgSeconds / $a.httpSeconds)), (Format-Met ($a.mgSeconds -le 1.25 * $a.httpSeconds)))
& $add ("| ``-All`` working-set growth (first run, fresh process) | +{0:n0} MB | - | - | <= 100 MB | {1} |" -f $a.growthMb, (Format-Met ($a.growthMb -le 100)))
& $add ("| Bulk: 2,000 ``New-MgUserAuthenticationTemporaryAccessPassMethod``, 100 ms latency, 200 requests/s budget | {0:n0}/s ({1:n0} % of the budget) | ``ForEach-Object -Parallel`` + ``Invoke-RestMethod``: {2:n0}/s; sequential loop: {3:n1}/s | {4} / {5} | >= 90 % of the budget, nothing lost or doubled | {6} |" -f $b.mggraph.perSecond, (100 * $b.mggraph.perSecond / $b.rateLimit), $b.parallel.perSecond, $b.sequential.perSecond, (Format-Ratio ($b.mggraph.perSecond / $b.parallel.perSecond)), (Format-Ratio ($b.mggraph.perSecond / $b.sequential.perSecond)), (Format-Met ($bulkOk -and $b.mggraph.perSecond -ge 0.9 * $b.rateLimit)))
if ($results.server) {
    & $add ("| Sandbox server: ``GET /v1.0/users/{{id}}`` under wrk (2 threads, 64 connections, 10 s) | {0:n0} requests/s (p99 {1}) | - | - | >= 20,000 | {2} |" -f $results.server.rps, $results.server.p99, (Format-Met ($results.server.rps -ge 20000 -and $results.server.non2xx -eq 0)))
}
else {
    & $add '| Sandbox server under wrk | not run: wrk is not installed | - | - | >= 20,000 | - |'
}
& $add ''
& $add '## How each figure is taken'
& $add ''
foreach ($flavour in $results.startup.Keys) {
    $st = $results.startup[$flavour]
    & $add ("- **Start-up, {0}**: {1} fresh processes per contender, alternating; medians. Bare ``pwsh -NoProfile -NonInteractive -Command exit``: {2:n0} ms; ``Import-Module`` of an empty module (one function, a manifest like MgGraph's): {3:n0} ms; ``Import-Module MgGraph``: {4:n0} ms; ``Connect-MgGraph -Environment Sandbox`` and one ``Get-MgUser`` (auto-loading the module from ``PSModulePath``): {5:n0} ms. MgGraph's own share of the import is the difference from the empty module: {6:n0} ms. The first process after an install or upgrade also emits and saves the interop assembly (``~/.mggraph``, see the README); its first call: {7:n0} ms." -f $names[$flavour], $Iterations, $st.bare, $st.empty, $st.import, $st.first, ($st.import - $st.empty), $st.firstEver)
}
foreach ($flavour in $results.perCallWarm.Keys) {
    $pc = $results.perCallWarm[$flavour]
    $cold = $results.perCallCold[$flavour]
    & $add ("- **Per call, {0}** (``tests/bench/PerCall.ps1``): one process, a ``mggraph-sandbox`` server on loopback, ``Get-MgUser -UserId <upn>`` (a typed object out) against ``Invoke-RestMethod`` on the same URL with a bearer token (a PSCustomObject out), in alternating blocks of 100; three processes, the one with the median ratio counts. Warm: {1:n0} vs {2:n0} µs a call; cold: {3:n0} vs {4:n0} µs." -f $names[$flavour], (1000 * $pc.mgMs / $pc.calls), (1000 * $pc.irmMs / $pc.calls), (1000 * $cold.mgMs / $cold.calls), (1000 * $cold.irmMs / $cold.calls))
}
& $add ("- **-All** (``tests/bench/All.ps1``): a server seeded with 100,000 users. First MgGraph run in the fresh process: {0:n2} s, working set {1:n0} MB before, peak growth {2:n0} MB. Then each contender four times, alternating, each from a collected heap; its fastest run counts. Each checks it saw every user. The bare fetch only reads the pages' text: it is the floor (the server's and the wire's time), not something a script can use; MgGraph also builds 100,000 typed objects and streams them through the pipeline on the same two cores." -f $a.coldSeconds, $a.beforeMb, $a.growthMb)
& $add ("- **Bulk** (``tests/bench/Bulk.ps1``): ``mggraph-sandbox --latency-ms {0} --rate-limit {1}`` (resource units a second; each pass costs one, a ```$batch`` envelope none). MgGraph: ``-ThrottleLimit {2}``, {3:n1} s, {4} results, {5} errors, {6} passes issued by the sandbox, {7} throttled answers. ``ForEach-Object -Parallel -ThrottleLimit {2}`` with ``Invoke-RestMethod -MaximumRetryCount 5``: {8:n1} s, {9} results, {10} errors, {11} issued. Sequential loop (on {12} users): {13:n1} s, {14} issued." -f $b.latencyMs, $b.rateLimit, $b.throttleLimit, $b.mggraph.seconds, $b.mggraph.results, $b.mggraph.errors, $b.mggraph.issued, $b.mggraph.throttled, $b.parallel.seconds, $b.parallel.results, $b.parallel.errors, $b.parallel.issued, $b.sequential.inputs, $b.sequential.seconds, $b.sequential.issued)
if ($results.server) {
    & $add ("- **Sandbox server**: ``wrk -t2 -c64 -d10s --latency`` ({0}) against one user, with a valid token; wrk runs on the same 2 cores; {1} non-2xx answers." -f $results.server.version, $results.server.non2xx)
}
& $add ''
foreach ($l in (Format-InstallSection $results.install)) { & $add $l }
& $add ''
& $add 'Run it again with `.ci/bench` (installs what is missing, builds the release engine and a ReadyToRun copy of pwsh, then runs this script).'
$text = ($lines -join "`n") + "`n"
Set-Content -Path $Output -Value $text -NoNewline -Encoding utf8
Write-Host ''
Write-Host $text
Write-Host "wrote $([IO.Path]::GetFullPath($Output))"
