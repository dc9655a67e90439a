<#
.SYNOPSIS
    Runs MgGraph's benchmarks side by side with the alternatives and writes BENCHMARKS.md.

.DESCRIPTION
    Every figure of issue 14's table against its target, with the ReadyToRun pwsh (as Microsoft
    ships it; .ci/bench makes one) and the pwsh installed here (a .NET tool, plain IL), in one run:
    - fresh processes started from bash (Fresh.sh), each right after a bare start, -Iterations
      rounds, medians of the differences: Import-Module MgGraph, Microsoft.Graph.Users and the
      largest module; import + Connect-MgGraph + one Get-MgUser against a loopback
      mggraph-sandbox server (-ClientSecretCredential) and against the in-process sandbox; the
      same then Get-MgApplication, Get-MgGroup, Get-MgDevice; a script calling cmdlets of five
      modules; Get-Command -Module Microsoft.Graph*;
    - where the time goes: an in-process Stopwatch over each step of those first runs, with
      the JIT time and the assemblies loaded per step (Breakdown.ps1, medians of
      -BreakdownRuns fresh processes);
    - the first call of a cmdlet whose output model is new over a warm call, and the working
      set after importing every module (Surface.ps1);
    - per call, Get-MgUser -UserId against Invoke-RestMethod, warm and cold (PerCall.ps1);
    and, once: -All over 100,000 users (All.ps1), bulk under throttling (Bulk.ps1), the
    installed package's sizes and first call (Install.ps1, which needs .ci/package first) and
    the sandbox server under wrk. Benchmarks print figures; they never pass or fail on time
    (the tests do not time anything either).

    Needs the compiled layer (bash .ci/build): every SDK-named module's assembly and the core's.
    When one is missing the script says which and stops before measuring anything.

.EXAMPLE
    bash .ci/bench

.EXAMPLE
    pwsh -NoProfile -File tests/bench/Invoke-Benchmarks.ps1 -Output /tmp/bench.md -Iterations 9 -Skip All, Bulk, Server
#>
[CmdletBinding()]
param(
    [string] $Output = (Join-Path $PSScriptRoot '../../BENCHMARKS.md'),
    # Rounds of fresh processes for the start-up figures (each run paired with a bare start;
    # the median counts).
    [ValidateRange(1, 1000)] [int] $Iterations = 9,
    # Fresh processes per breakdown mode (Breakdown.ps1); medians per step.
    [ValidateRange(1, 100)] [int] $BreakdownRuns = 3,
    # Fresh processes for the first call of a new model (Surface.ps1): each cmdlet's row is
    # the median over them (a single first call moves by about 2 ms from process to process).
    [ValidateRange(1, 100)] [int] $SurfaceRuns = 5,
    # A ReadyToRun-compiled copy of this PowerShell (pwsh.dll), as Microsoft's own packages
    # ship it; .ci/bench makes one. Every per-pwsh figure is taken with it too.
    [string] $ReadyToRunPwsh,
    # Parts left out (their rows say so): All (-All), Bulk, Install (the installed package),
    # Server (the wrk run); with pwsh -File, one argument: -Skip All,Bulk.
    [string[]] $Skip = @(),
    # Where the raw figures are saved (JSON), and a saved file to write the report from
    # without measuring anything.
    [string] $SaveResults = (Join-Path $PSScriptRoot '../../target/bench/results.json'),
    [string] $FromResults
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')
$Skip = @($Skip | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
foreach ($s in $Skip) { if ($s -notin 'All', 'Bulk', 'Install', 'Server') { throw "-Skip: '$s' is not one of All, Bulk, Install, Server" } }

$repo = Get-RepoPath ''
$moduleDir = [IO.Path]::GetFullPath((Join-Path $repo 'module'))
# The benchmarks measure this checkout's release engine and compiled layer.
Remove-Item Env:MGGRAPH_NATIVE_LIBRARY -ErrorAction SilentlyContinue
$env:PSModulePath = $moduleDir + [IO.Path]::PathSeparator + $env:PSModulePath

# --- What is measured: the module tree --------------------------------------------------
$modules = foreach ($dir in Get-ChildItem $moduleDir -Directory -Filter 'Microsoft.Graph*') {
    $manifest = Join-Path $dir.FullName "$($dir.Name).psd1"
    if (-not (Test-Path $manifest)) { continue }
    $data = Import-PowerShellDataFile $manifest
    $cmdlets = if ($data.ContainsKey('CmdletsToExport') -and $data['CmdletsToExport']) { @($data['CmdletsToExport'] | Where-Object { $_ -ne '*' }).Count } else { 0 }
    $root = if ($data.ContainsKey('RootModule')) { [string]$data['RootModule'] } else { '' }
    [pscustomobject]@{ Name = $dir.Name; Dir = $dir.FullName; Root = $root; Cmdlets = $cmdlets }
}
# The compiled layer must be there: a module without its assembly would fail every row that
# loads it, half-way through a run of many minutes.
$missing = [System.Collections.Generic.List[string]]::new()
foreach ($a in 'MgGraph.Core', 'MgGraph.Models', 'MgGraph.Models.Beta') {
    $f = Join-Path $moduleDir "Microsoft.Graph.Authentication/bin/$a.dll"
    if (-not (Test-Path $f)) { $missing.Add("module/Microsoft.Graph.Authentication/bin/$a.dll") }
}
foreach ($m in $modules) {
    if ($m.Root -like '*.dll' -and -not (Test-Path (Join-Path $m.Dir $m.Root))) { $missing.Add("module/$($m.Name)/$($m.Root)") }
}
$engineFile = Join-Path $repo 'target/release/libmggraph.so'
if (-not (Test-Path $engineFile)) { $missing.Add('target/release/libmggraph.so') }
if ($missing.Count -and -not $FromResults) {
    $list = ($missing | Select-Object -First 8) -join ', '
    $more = if ($missing.Count -gt 8) { " and $($missing.Count - 8) more" } else { '' }
    [Console]::Error.WriteLine("Invoke-Benchmarks: the compiled layer is not built: $($missing.Count) file(s) missing ($list$more). Run 'bash .ci/build' (or 'bash .ci/bench', which builds everything) first.")
    exit 1
}
$sdkModules = @($modules | Where-Object { $_.Root -like '*.dll' -and $_.Name -ne 'Microsoft.Graph.Authentication' })
$largest = $sdkModules | Sort-Object Cmdlets -Descending | Select-Object -First 1
$largestModule = $largest.Name
$largestCount = $largest.Cmdlets
$moduleCount = @($modules).Count
$cmdletCount = ($modules | Measure-Object Cmdlets -Sum).Sum

function Format-Met([bool] $Ok) { if ($Ok) { 'yes' } else { '**no**' } }

if ($FromResults) {
    # The report only, from a saved run.
    $results = Get-Content $FromResults -Raw | ConvertFrom-Json -AsHashtable
    $Iterations = $results.iterations; $BreakdownRuns = $results.breakdownRuns; $Skip = @($results.skip)
}
else {
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
    # In one place from run to run, and written only when it differs: PowerShell's module
    # analysis cache keys modules by path and file time, and a new folder (or a rewritten file)
    # in every run would leave it stale, so that every fresh process analysed it again.
    $emptyDir = Join-Path $repo 'target/bench/empty'
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $emptyDir 'MgEmpty')
    $emptyFiles = @{
        'MgEmpty/MgEmpty.psm1' = 'function Get-MgEmpty { [CmdletBinding()] param() }'
        'MgEmpty/MgEmpty.psd1' = "@{ RootModule = 'MgEmpty.psm1'; ModuleVersion = '0.1.0'; GUID = '6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34'; FunctionsToExport = @('Get-MgEmpty'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }"
    }
    foreach ($f in $emptyFiles.Keys) {
        $path = Join-Path $emptyDir $f
        if (-not (Test-Path $path) -or (Get-Content $path -Raw).TrimEnd() -ne $emptyFiles[$f]) { Set-Content -Path $path -Value $emptyFiles[$f] }
    }
    $env:PSModulePath = $emptyDir + [IO.Path]::PathSeparator + $env:PSModulePath

    function Initialize-AnalysisCache([string] $Flavour) {
        # PowerShell keeps what each module on PSModulePath exports in a per-user cache file
        # (~/.cache/powershell/ModuleAnalysisCache-*), read at the first Import-Module by name
        # or command lookup, and rewritten only by a process that lives 13 s after a change. A
        # user's machine has it current after their first longer session; a fresh process
        # with a stale one analyses the changed modules again, every time. The user's own file
        # also holds whatever their sessions recorded: one that imported modules by name lists
        # each binary module a second time, under its assembly's path, which doubled MgGraph's
        # part of it (1.3 to 2.6 MB) and moved every import row by about 30 ms between runs.
        # So the bench uses a file of its own per pwsh (PSModuleAnalysisCachePath, which its
        # child processes inherit), emptied, then one such first session: every module listed,
        # then 25 s for PowerShell to write the file. Returns the file's size (bytes).
        $env:PSModuleAnalysisCachePath = Join-Path $repo "target/bench/ModuleAnalysisCache-$Flavour"
        Remove-Item -LiteralPath $env:PSModuleAnalysisCachePath -Force -ErrorAction SilentlyContinue
        & $launcher[0] @($launcher | Select-Object -Skip 1) -NoProfile -NonInteractive -Command '$null = Get-Module -ListAvailable; $null = Get-Command -Module Microsoft.Graph*; Start-Sleep -Seconds 25'
        if ($LASTEXITCODE -ne 0) { throw "priming the module analysis cache failed ($LASTEXITCODE)" }
        $cache = Get-Item -LiteralPath $env:PSModuleAnalysisCachePath -ErrorAction SilentlyContinue
        if ($cache) { $cache.Length } else { $null }
    }

    function Merge-SurfaceRuns([object[]] $Runs) {
        # The first run (with the working-set figures), each cmdlet's entry taken from the run
        # whose first-over-warm difference is the median of all runs' (so the row's first and
        # warm times belong to one process); every run's difference kept for the notes.
        $merged = $Runs[0]
        foreach ($k in @($merged.cmdlets.PSObject.Properties.Name)) {
            $byDiff = @($Runs | Sort-Object { $_.cmdlets.$k.firstMs - $_.cmdlets.$k.warmMs })
            $entry = $byDiff[[int][math]::Floor(($byDiff.Count - 1) / 2)].cmdlets.$k
            $entry | Add-Member -NotePropertyName runsDiffMs -NotePropertyValue @($byDiff | ForEach-Object { [math]::Round($_.cmdlets.$k.firstMs - $_.cmdlets.$k.warmMs, 1) }) -Force
            $merged.cmdlets.$k = $entry
        }
        $merged
    }

    function Invoke-Child([string] $Script, [string[]] $Arguments = @(), [string] $Label = '') {
        # Runs a benchmark script in a fresh pwsh ($launcher); returns its JSON result line.
        Write-Host "  running $Script $Label"
        $file = Join-Path $PSScriptRoot $Script
        $out = & $launcher[0] @($launcher | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file @Arguments
        if ($LASTEXITCODE -ne 0) { throw "$Script failed ($LASTEXITCODE): $out" }
        $line = @($out) | Where-Object { $_ -like '{*' } | Select-Object -Last 1
        if (-not $line) { throw "$Script printed no result: $out" }
        $line | ConvertFrom-Json
    }

    # A mggraph-sandbox server (the demo tenant) for the first-call rows against a server.
    $server = Start-SandboxServer
    $cred = "([pscredential]::new('$($server.clientId)', (ConvertTo-SecureString '$($server.clientSecret)' -AsPlainText -Force)))"
    $connectServer = "Add-MgEnvironment -Name Bench -AzureADEndpoint '$($server.baseUrl)' -GraphEndpoint '$($server.baseUrl)' | Out-Null; Connect-MgGraph -Environment Bench -TenantId '$($server.tenantId)' -ClientSecretCredential $cred -NoWelcome"
    $admin = 'admin@contoso.onmicrosoft.com'
    $stop = "`$ErrorActionPreference = 'Stop'; "
    # The fresh-process rows: name → command (each also run right after a bare start).
    $freshRuns = [ordered]@{
        empty         = $stop + 'Import-Module MgEmpty'
        importMgGraph = $stop + 'Import-Module MgGraph'
        importUsers   = $stop + 'Import-Module Microsoft.Graph.Users'
        importLargest = $stop + "Import-Module $largestModule"
        firstServer   = $stop + "Import-Module MgGraph; $connectServer; `$null = Get-MgUser -UserId $admin"
        firstSandbox  = $stop + "Import-Module MgGraph; Connect-MgGraph -Environment Sandbox -NoWelcome; `$null = Get-MgUser -UserId $admin"
        fourServer    = $stop + "Import-Module MgGraph; $connectServer; `$null = Get-MgUser -UserId $admin; `$null = Get-MgApplication -Top 1; `$null = Get-MgGroup -Top 1; `$null = Get-MgDevice -Top 1"
        # Five modules auto-loaded by their cmdlets: Users, Groups, Identity.SignIns, Applications,
        # Identity.DirectoryManagement.
        fiveServer    = $stop + "Import-Module MgGraph; $connectServer; `$null = Get-MgUser -Top 1; `$null = Get-MgGroup -Top 1; `$null = Get-MgUserAuthenticationMethod -UserId $admin; `$null = Get-MgApplication -Top 1; `$null = Get-MgOrganization"
        listAll       = $stop + '$null = Get-Command -Module Microsoft.Graph*'
    }

    function Measure-Fresh {
        # Fresh.sh over $freshRuns with $launcher: per row, the median of (run - the bare start
        # just before it), the median run, and the median bare start over all pairs.
        $pairs = foreach ($k in $freshRuns.Keys) { $k; $freshRuns[$k] }
        $lines = & bash (Join-Path $PSScriptRoot 'Fresh.sh') $Iterations @launcher -- @pairs
        if ($LASTEXITCODE -ne 0) { throw "Fresh.sh failed ($LASTEXITCODE)" }
        $over = @{}; $abs = @{}; $bare = [System.Collections.Generic.List[double]]::new()
        foreach ($k in $freshRuns.Keys) { $over[$k] = [System.Collections.Generic.List[double]]::new(); $abs[$k] = [System.Collections.Generic.List[double]]::new() }
        foreach ($l in $lines) {
            $f = $l -split ' '
            if ($f.Count -ne 4 -or -not $over.ContainsKey($f[0])) { throw "Fresh.sh: unexpected line '$l'" }
            $ms = [double]::Parse($f[2], [cultureinfo]::InvariantCulture); $b = [double]::Parse($f[3], [cultureinfo]::InvariantCulture)
            $over[$f[0]].Add($ms - $b); $abs[$f[0]].Add($ms); $bare.Add($b)
        }
        $out = [ordered]@{ bare = Get-Median $bare; runs = $bare.Count }
        foreach ($k in $freshRuns.Keys) { $out[$k] = [ordered]@{ over = Get-Median $over[$k]; ms = Get-Median $abs[$k] } }
        $out
    }

    function Measure-Breakdown {
        # Breakdown.ps1 -BreakdownRuns times per mode with $launcher; per mode, per step, medians.
        $result = [ordered]@{}
        foreach ($mode in 'Server', 'Sandbox', 'List') {
            $childArgs = @("-Mode", $mode, "-Largest", $largestModule)
            if ($mode -eq "Server") { $childArgs += @('-BaseUrl', $server.baseUrl, '-TenantId', $server.tenantId, '-ClientId', $server.clientId, '-Secret', $server.clientSecret) }
            $runs = @(1..$BreakdownRuns | ForEach-Object { Invoke-Child "Breakdown.ps1" $childArgs "-Mode $mode" })
            $steps = [ordered]@{}
            foreach ($name in @($runs[0].steps | ForEach-Object name)) {
                $these = @($runs | ForEach-Object { $_.steps | Where-Object name -EQ $name })
                $steps[$name] = [ordered]@{
                    ms = Get-Median @($these | ForEach-Object ms); jitMs = Get-Median @($these | ForEach-Object jitMs); jitAllMs = Get-Median @($these | ForEach-Object jitAllMs)
                    jitMethods = Get-Median @($these | ForEach-Object jitMethods); assemblies = Get-Median @($these | ForEach-Object assemblies)
                }
            }
            $result[$mode] = $steps
        }
        $result
    }

    function Measure-PerCall([int] $Warmup) {
        # Three processes; the run with the median ratio counts (one run swings by 20 % on a
        # shared 2-core machine).
        $runs = @(1..3 | ForEach-Object { Invoke-Child 'PerCall.ps1' @('-Warmup', "$Warmup") "(warm-up $Warmup)" })
        $runs | Sort-Object { $_.mgMs / $_.irmMs } | Select-Object -Index 1
    }

    $flavours = [ordered]@{}
    if ($ReadyToRunPwsh) {
        # pwsh.dll runs on the dotnet host.
        if (-not (Test-Path $ReadyToRunPwsh)) { throw "no ReadyToRun pwsh at $ReadyToRunPwsh" }
        $dotnet = Get-Command dotnet -CommandType Application -ErrorAction Stop | Select-Object -First 1
        $flavours.readyToRun = @($dotnet.Source, $ReadyToRunPwsh)
    }
    $flavours.installed = $installed
    $results = [ordered]@{ iterations = $Iterations; breakdownRuns = $BreakdownRuns; skip = $Skip; commands = [ordered]@{}; fresh = [ordered]@{}; breakdown = [ordered]@{}; surface = [ordered]@{}; surfaceSplit = [ordered]@{}; perCallCold = [ordered]@{}; perCallWarm = [ordered]@{}; load = [ordered]@{}; analysisCache = [ordered]@{} }
    try {
        foreach ($flavour in $flavours.Keys) {
            $launcher = $flavours[$flavour]
            Write-Host "fresh processes from bash ($flavour pwsh): $($freshRuns.Count) rows x $Iterations rounds, each after a bare start"
            Write-Host "  priming PowerShell's module analysis cache (25 s)"
            $results.analysisCache[$flavour] = Initialize-AnalysisCache $flavour
            $results.load[$flavour] = ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 1)
            $results.fresh[$flavour] = Measure-Fresh
            Write-Host "where the time goes ($flavour pwsh): in-process steps of the first runs"
            $results.breakdown[$flavour] = Measure-Breakdown
            Write-Host "surface ($flavour pwsh): first call of a cmdlet with a new model; memory after importing everything"
            $surfaceResults = @(Invoke-Child 'Surface.ps1') + @(for ($i = 2; $i -le $SurfaceRuns; $i++) { Invoke-Child 'Surface.ps1' @('-FirstCallsOnly') "-FirstCallsOnly ($i of $SurfaceRuns)" })
            $results.surface[$flavour] = Merge-SurfaceRuns $surfaceResults
            $results.surfaceSplit[$flavour] = Invoke-Child 'Surface.ps1' @('-SplitMetadata') '-SplitMetadata'
            Write-Host "per call ($flavour pwsh): Get-MgUser -UserId against Invoke-RestMethod"
            $results.perCallCold[$flavour] = Measure-PerCall 100
            $results.perCallWarm[$flavour] = Measure-PerCall 3000
        }
    }
    finally { Stop-SandboxServer $server }
    $launcher = $installed
    foreach ($k in $freshRuns.Keys) { $results.commands[$k] = $freshRuns[$k].Replace($server.clientSecret, '<secret>') }

    # --- -All ------------------------------------------------------------------------------
    $results.all = $null
    if ($Skip -notcontains 'All') {
        Write-Host '-All: 100,000 users'
        $results.all = Invoke-Child 'All.ps1' @('-Users', '100000')
    }

    # --- Bulk ------------------------------------------------------------------------------
    $results.bulk = $null
    if ($Skip -notcontains 'Bulk') {
        Write-Host 'bulk: 2,000 passes at 100 ms latency and 200 requests/s'
        $results.bulk = Invoke-Child 'Bulk.ps1'
    }

    # --- Installed package -----------------------------------------------------------------
    $results.install = $null
    if ($Skip -notcontains 'Install') {
        Write-Host 'installed package: sizes, a first call from the install, runbook peak working set'
        try { $results.install = Invoke-Child 'Install.ps1' }
        catch { Write-Warning "the installed-package figures were not taken: $_"; $results.installError = "$_" }
    }

    # --- Sandbox server --------------------------------------------------------------------
    $results.server = $null
    $wrk = Get-Command wrk -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($Skip -contains 'Server') { }
    elseif ($wrk) {
        Write-Host 'sandbox server: wrk on GET /v1.0/users/{id}'
        $wrkServer = Start-SandboxServer
        try {
            $body = @{ grant_type = 'client_credentials'; client_id = $wrkServer.clientId; client_secret = $wrkServer.clientSecret; scope = 'https://graph.microsoft.com/.default' }
            $token = (Invoke-RestMethod -Method Post -Uri "$($wrkServer.baseUrl)/$($wrkServer.tenantId)/oauth2/v2.0/token" -Body $body).access_token
            $id = (Invoke-RestMethod -Uri "$($wrkServer.baseUrl)/v1.0/users/$($wrkServer.admin)" -Headers @{ Authorization = "Bearer $token" }).id
            $url = "$($wrkServer.baseUrl)/v1.0/users/$id"
            $text = (& $wrk.Source -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" $url) -join "`n"
            if ($text -notmatch 'Requests/sec:\s+([\d.]+)') { throw "wrk gave no figure: $text" }
            $rps = [double]$Matches[1]
            $p99 = if ($text -match '(?m)^\s*99%\s+(\S+)') { $Matches[1] } else { '?' }
            $non2xx = if ($text -match 'Non-2xx or 3xx responses:\s+(\d+)') { [int]$Matches[1] } else { 0 }
            $results.server = @{ rps = $rps; p99 = $p99; non2xx = $non2xx; version = ((& $wrk.Source --version 2>&1) -join ' ' -replace '\s+Copyright.*', '').Trim() }
        }
        finally { Stop-SandboxServer $wrkServer }
    }
    else {
        Write-Warning 'wrk is not installed (apt-get install wrk): the sandbox server benchmark is skipped'
    }

    # --- Engine sizes, with and without the emulator --------------------------------------
    # .ci/bench builds the engine without the `sandbox` feature first and keeps it as
    # target/bench/libmggraph-no-sandbox.so; the default build is target/release's.
    $results.engine = $null
    $withSandbox = Join-Path $repo 'target/release/libmggraph.so'
    $without = Join-Path $repo 'target/bench/libmggraph-no-sandbox.so'
    if ((Test-Path $withSandbox) -and (Test-Path $without)) {
        $strip = Get-Command strip -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        $nm = Get-Command nm -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        $measure = {
            param($path)
            $stripped = $null
            if ($strip) {
                $copy = [IO.Path]::GetTempFileName()
                Copy-Item $path $copy -Force
                & $strip.Source --strip-unneeded $copy 2>$null
                if ($LASTEXITCODE -eq 0) { $stripped = (Get-Item $copy).Length }
                Remove-Item $copy -Force
            }
            $symbols = if ($nm) { @(& $nm.Source -C $path 2>$null | Select-String -SimpleMatch 'mggraph::sandbox::').Count } else { $null }
            @{ bytes = (Get-Item $path).Length; stripped = $stripped; sandboxSymbols = $symbols }
        }
        $results.engine = @{ withSandbox = (& $measure $withSandbox); without = (& $measure $without) }
    }

    if ($SaveResults) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $SaveResults)
        $results | ConvertTo-Json -Depth 10 | Set-Content -Path $SaveResults -Encoding utf8
        Write-Host "saved the figures to $([IO.Path]::GetFullPath($SaveResults))"
    }
}

# --- Report ----------------------------------------------------------------------------
$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$memGb = [math]::Round(((Get-Content /proc/meminfo -ErrorAction SilentlyContinue | Select-Object -First 1) -replace '\D', '') / 1MB, 1)
$os = (Get-Content /etc/os-release -ErrorAction SilentlyContinue | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', ''
$commit = (git -C $repo rev-parse --short HEAD 2>$null)
$dirty = if (git -C $repo status --porcelain -- src module tests .ci 2>$null) { ' (with uncommitted changes)' } else { '' }
$rustc = (rustc -V 2>$null)
$names = [ordered]@{ readyToRun = 'ReadyToRun pwsh (as Microsoft ships it)'; installed = 'pwsh as installed here (.NET tool, not ReadyToRun)' }
$short = @{ readyToRun = 'R2R'; installed = 'stock' }
$shown = @($names.Keys | Where-Object { $results.fresh.Contains($_) })

function Get-Step($Flavour, [string] $Mode, [string] $Name) {
    # A breakdown step's medians, or $null when that step was not measured.
    $m = $results.breakdown[$Flavour][$Mode]
    if ($m.Contains($Name)) { $m[$Name] } else { $null }
}
function Format-Step($Step, [string] $Label) {
    if (-not $Step) { return "$Label (not measured)" }
    '{0} {1:n0} ms (JIT {2:n0} ms, {3:n0} methods; {4:n0} assemblies loaded)' -f $Label, $Step.ms, $Step.jitMs, $Step.jitMethods, $Step.assemblies
}
function Format-Ms($Step) { if ($Step) { '{0:n0}' -f $Step.ms } else { '?' } }

# Issue 14's rows: what, target, the figure per pwsh, met, and what the time is spent on.
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $What, [string] $Target, [scriptblock] $Value, [scriptblock] $Format, [scriptblock] $Ok, [scriptblock] $Notes, [string] $Key = '') {
    # $Value and $Notes take the pwsh flavour and $Key; they run in the script's scope.
    $rows.Add([pscustomobject]@{ What = $What; Target = $Target; Value = $Value; Format = $Format; Ok = $Ok; Notes = $Notes; Key = $Key })
}
$overMs = { param($v) '+{0:n0} ms' -f $v }
$freshOver = { param($f, $k) $results.fresh[$f][$k].over }
$importStep = { param($f) Format-Step (Get-Step $f 'Server' 'Import-Module MgGraph') 'Import-Module MgGraph (the core and the models)' }
$firstServerNotes = {
    param($f)
    $s = 'Server'
    "pwsh start $(Format-Ms (Get-Step $f $s 'start')) ms; " + (& $importStep $f) + '; ' + (Format-Step (Get-Step $f $s 'Import-Module Microsoft.Graph.Users') 'Microsoft.Graph.Users') + '; ' +
    (Format-Step (Get-Step $f $s 'the engine loaded (libmggraph, its version)') 'the engine''s load (libmggraph)') + '; ' +
    (Format-Step (Get-Step $f $s 'first Get-MgContext (the core''s first command)') 'a first Get-MgContext') + '; ' +
    (Format-Step (Get-Step $f $s 'Add-MgEnvironment') 'Add-MgEnvironment') + '; ' +
    (Format-Step (Get-Step $f $s 'Connect-MgGraph -ClientSecretCredential') 'Connect-MgGraph -ClientSecretCredential') + '; ' +
    (Format-Step (Get-Step $f $s 'first Get-MgUser -UserId') 'first Get-MgUser') + " (the second: $(Format-Ms (Get-Step $f $s 'second Get-MgUser -UserId')) ms)"
}
$moduleNotes = {
    param($f)
    $parts = foreach ($p in @(@('Microsoft.Graph.Applications', 'Get-MgApplication'), @('Microsoft.Graph.Groups', 'Get-MgGroup'), @('Microsoft.Graph.Identity.DirectoryManagement', 'Get-MgDevice'))) {
        "$($p[0]) import $(Format-Ms (Get-Step $f 'Server' "Import-Module $($p[0])")) ms + first $($p[1]) $(Format-Ms (Get-Step $f 'Server' "first $($p[1]) -Top 1")) ms"
    }
    $parts -join ', '
}
Add-Row '`Import-Module MgGraph` over a bare start' '<= 150 ms' $freshOver $overMs { param($v) $v -le 150 } {
    param($f) "in-process: " + (& $importStep $f) + ('; PowerShell''s own import of an empty one-function script module: +{0:n0} ms over bare' -f $results.fresh[$f].empty.over) } -Key importMgGraph
Add-Row '`Import-Module Microsoft.Graph.Users` over a bare start' '<= 150 ms' $freshOver $overMs { param($v) $v -le 150 } {
    param($f) "in-process: the core as " + (& $importStep $f) + '; then ' + (Format-Step (Get-Step $f 'Server' 'Import-Module Microsoft.Graph.Users') 'Microsoft.Graph.Users itself') } -Key importUsers
Add-Row "``Import-Module $largestModule`` (the largest: $largestCount cmdlets) over a bare start" '<= 250 ms' $freshOver $overMs { param($v) $v -le 250 } {
    param($f) "in-process: the core as " + (& $importStep $f) + '; then, for the module itself, ' + (Format-Step (Get-Step $f 'Server' "$largestModule`: its models' Assembly.LoadFrom") 'its models'' Assembly.LoadFrom') + ', ' + (Format-Step (Get-Step $f 'Server' "$largestModule`: Assembly.LoadFrom") 'Assembly.LoadFrom') + ', ' +
    (Format-Step (Get-Step $f 'Server' "$largestModule`: GetTypes and their custom attributes") 'reflection over its types and attributes') + ', ' +
    (Format-Step (Get-Step $f 'Server' "Import-Module $largestModule") 'then Import-Module (PowerShell''s own work: a command table entry per cmdlet)') } -Key importLargest
Add-Row 'Fresh process: `Import-Module MgGraph`, `Connect-MgGraph -ClientSecretCredential` to a loopback `mggraph-sandbox` server, one `Get-MgUser`, over a bare start' '<= 300 ms' $freshOver $overMs { param($v) $v -le 300 } $firstServerNotes -Key firstServer
Add-Row 'The same with the in-process sandbox (`Connect-MgGraph -Environment Sandbox`)' '<= 400 ms' $freshOver $overMs { param($v) $v -le 400 } {
    param($f)
    $s = 'Sandbox'
    "pwsh start $(Format-Ms (Get-Step $f $s 'start')) ms; " + (Format-Step (Get-Step $f $s 'Import-Module MgGraph') 'Import-Module MgGraph') + '; ' +
    (Format-Step (Get-Step $f $s 'the engine loaded (libmggraph, its version)') 'the engine''s load (libmggraph)') + '; ' +
    (Format-Step (Get-Step $f $s 'first Get-MgContext (the core''s first command)') 'a first Get-MgContext') + '; ' +
    (Format-Step (Get-Step $f $s 'Connect-MgGraph -Environment Sandbox') 'Connect-MgGraph -Environment Sandbox') + '; ' +
    (Format-Step (Get-Step $f $s 'first Get-MgUser -UserId (auto-loads Microsoft.Graph.Users)') 'first Get-MgUser (auto-loading Microsoft.Graph.Users)') + " (the second: $(Format-Ms (Get-Step $f $s 'second Get-MgUser -UserId')) ms)"
} -Key firstSandbox
Add-Row 'The same (server), then `Get-MgApplication`, `Get-MgGroup`, `Get-MgDevice`, over a bare start' '<= 400 ms' $freshOver $overMs { param($v) $v -le 400 } {
    param($f) (& $firstServerNotes $f) + '; then ' + (& $moduleNotes $f) } -Key fourServer
Add-Row 'A script calling cmdlets of five modules (server; Users, Groups, Identity.SignIns, Applications, Identity.DirectoryManagement, auto-loaded), over a bare start' '<= 400 ms' $freshOver $overMs { param($v) $v -le 400 } {
    param($f) "the core and the first call as in the row above; each further module, its import and first call: " + (& $moduleNotes $f) } -Key fiveServer
foreach ($c in 'Get-MgApplication', 'Get-MgGroup', 'Get-MgDevice') {
    Add-Row "First call of a cmdlet whose output model is new (``$c -Top 1``, its module imported) over a warm call" '<= 5 ms' { param($f, $k) $x = $results.surface[$f].cmdlets.$k; $x.firstMs - $x.warmMs } { param($v) '+{0:n1} ms' -f $v } { param($v) $v -le 5 } {
        param($f, $k) $x = $results.surface[$f].cmdlets.$k; $y = $results.surfaceSplit[$f].cmdlets.$k
        $diffs = if ($x -is [System.Collections.IDictionary]) { $x['runsDiffMs'] } else { $x.PSObject.Properties['runsDiffMs']?.Value }
        $runs = if ($diffs) { '; over warm in each of {0} processes: {1} ms (the median shown)' -f @($diffs).Count, ((@($diffs) | ForEach-Object { '+{0:n1}' -f $_ }) -join ', ') } else { '' }
        ('the median process: first {0:n1} ms (JIT on its thread {1:n1} ms), warm {2:n1} ms{6}; in another process, the cmdlet''s parameter metadata built first ((Get-Command).Parameters) took {3:n1} ms, then the first call {4:n1} ms (JIT {5:n1} ms)' -f $x.firstMs, $x.firstJitMs, $x.warmMs, $y.metadataMs, $y.firstMs, $y.firstJitMs, $runs) } -Key $c
}
Add-Row 'Per call, 1,000 `Get-MgUser -UserId` vs 1,000 `Invoke-RestMethod`, warm (after 3,000 calls each)' '<= 0.7' { param($f) $p = $results.perCallWarm[$f]; $p.mgMs / $p.irmMs } { param($v) '{0:n2}' -f $v } { param($v) $v -le 0.7 } {
    param($f) $p = $results.perCallWarm[$f]; '{0:n0} vs {1:n0} µs a call' -f (1000 * $p.mgMs / $p.calls), (1000 * $p.irmMs / $p.calls) }
Add-Row 'The same, cold (after 100 calls each)' '<= 0.9' { param($f) $p = $results.perCallCold[$f]; $p.mgMs / $p.irmMs } { param($v) '{0:n2}' -f $v } { param($v) $v -le 0.9 } {
    param($f) $p = $results.perCallCold[$f]; '{0:n0} vs {1:n0} µs a call' -f (1000 * $p.mgMs / $p.calls), (1000 * $p.irmMs / $p.calls) }
Add-Row "``Get-Command -Module Microsoft.Graph*`` (all $cmdletCount cmdlets of $moduleCount modules), fresh process, over a bare start" '<= 1,000 ms' $freshOver $overMs { param($v) $v -le 1000 } {
    param($f) 'in-process: ' + (Format-Step (Get-Step $f 'List' 'Get-Command -Module Microsoft.Graph*') 'Get-Command (reads every manifest; loads nothing)') } -Key listAll
Add-Row "Working set after importing every module (``Microsoft.Graph``, ``Microsoft.Graph.Beta``: all $moduleCount)" '<= +60 MB' { param($f) $s = $results.surface[$f]; $s.afterMb - $s.beforeMb } { param($v) '+{0:n0} MB' -f $v } { param($v) $v -le 60 } {
    param($f) $s = $results.surface[$f]; 'from {0:n0} MB (MgGraph imported, connected, four cmdlets used; {1:n0} MB at the start, {2:n0} MB after Import-Module MgGraph) to {3:n0} MB; {4} modules, {5} assemblies loaded' -f $s.beforeMb, $s.startMb, $s.mgGraphMb, $s.afterMb, $s.modules, $s.assemblies }
$inst = $results.install
if ($inst) {
    Add-Row 'Installed module tree (`Install-PSResource`, with the engine and `mggraph-sandbox`)' '<= 50 MB' { param($f) $inst.installedBytes / 1MB } { param($v) '{0:n1} MB' -f $v } { param($v) $v -le 50 } {
        param($f) 'engine {0:n1} MB, mggraph-sandbox {1:n1} MB, SDK-named modules {2:n1} MB (assemblies {3:n1} MB)' -f ($inst.engineBytes / 1MB), ($inst.serverBytes / 1MB), ($inst.sdkBytes / 1MB), ($inst.assemblyBytes / 1MB) }
    Add-Row 'Azure Automation zip (`MgGraph.zip`)' '<= 30 MB' { param($f) $inst.automationZipBytes / 1MB } { param($v) '{0:n1} MB' -f $v } { param($v) $v -le 30 } { param($f) '' }
}

$lines = [System.Collections.Generic.List[string]]::new()
$add = { param($l) $lines.Add($l) }
& $add '# MgGraph benchmarks'
& $add ''
& $add "Written by ``.ci/bench`` (``tests/bench/Invoke-Benchmarks.ps1``) on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC, commit $commit$dirty."
& $add ''
& $add "Machine: $cpu, $([Environment]::ProcessorCount) cores, $memGb GiB; $os; PowerShell $($PSVersionTable.PSVersion); $rustc; release build; the compiled layer as ``.ci/build`` makes it. The sandbox server runs on the same machine, on loopback, so every figure below shares the two cores with it. Load average (1 min) when each pwsh's fresh-process rows began: $(($shown | ForEach-Object { "$($short[$_]) $($results.load[$_])" }) -join ', ')."
& $add ''
& $add '## Issue 14: the compiled layer against its targets'
& $add ''
& $add ('| What | Target | ' + (($shown | ForEach-Object { "$($names[$_]) | Met" }) -join ' | ') + ' | Where the time goes (where a target is missed) |')
& $add ('|---|---|' + (($shown | ForEach-Object { '---|---|' }) -join '') + '---|')
foreach ($r in $rows) {
    $cells = [System.Collections.Generic.List[string]]::new()
    $notes = [System.Collections.Generic.List[string]]::new()
    foreach ($f in $shown) {
        $v = [double](& $r.Value $f $r.Key)
        $ok = [bool](& $r.Ok $v)
        $cells.Add((& $r.Format $v)); $cells.Add((Format-Met $ok))
        if (-not $ok) { $n = & $r.Notes $f $r.Key; if ($n) { $notes.Add("$($short[$f]): $n") } }
    }
    & $add ("| $($r.What) | $($r.Target) | " + ($cells -join ' | ') + ' | ' + ($notes -join '. ') + ' |')
}
if (-not $inst) {
    $why = if ($Skip -contains 'Install') { 'not run (-Skip Install)' } else { 'not taken: no package (run bash .ci/package)' }
    foreach ($w in @(@('Installed module tree', '<= 50 MB'), @('Azure Automation zip', '<= 30 MB'))) {
        & $add ("| $($w[0]) | $($w[1]) | " + (($shown | ForEach-Object { "$why | - " }) -join '| ') + '| - |')
    }
}
& $add ''
& $add ('Fresh-process rows: started from bash (`tests/bench/Fresh.sh`), each run right after a bare `pwsh -NoProfile -NonInteractive -Command exit`, {0} rounds, after one uncounted run of each; the figure is the median of (run - the bare start before it). Bare start: {1}. Before them, PowerShell''s module analysis cache (a file of the bench''s own per pwsh, `PSModuleAnalysisCachePath`, emptied first) was brought up to date as a user''s first longer session does (every module listed, then 25 s for PowerShell to write it): {3}. Notes: in-process Stopwatch steps of the same first runs (`tests/bench/Breakdown.ps1`, medians of {2} fresh processes), with the JIT time (`System.Runtime.JitInfo`) and the assemblies loaded in each step; the full tables are below.' -f $Iterations, (($shown | ForEach-Object { '{0:n0} ms ({1})' -f $results.fresh[$_].bare, $short[$_] }) -join ', '), $BreakdownRuns,
    $(if ($results['analysisCache']) { ($shown | ForEach-Object { if ($results.analysisCache[$_]) { '{0:n1} MB ({1})' -f ($results.analysisCache[$_] / 1MB), $short[$_] } }) -join ', ' } else { 'not recorded in this run' }))
& $add ''
& $add '## Where the time goes'
& $add ''
& $add 'In-process steps of a first run in a fresh process (`tests/bench/Breakdown.ps1`), medians per step. ''start'' is the time from the process''s start to the script''s first line (pwsh itself); JIT is the time the runtime spent compiling methods during the step, on the script''s thread (what the step waits for) and on all threads (with tiered re-compilation in the background); code that is not ReadyToRun-compiled is JIT-compiled method by method as it first runs.'
foreach ($f in $shown) {
    foreach ($mode in $results.breakdown[$f].Keys) {
        $label = switch ($mode) { 'Server' { 'against a loopback mggraph-sandbox server (-ClientSecretCredential)' } 'Sandbox' { 'against the in-process sandbox' } 'List' { 'Get-Command -Module Microsoft.Graph*' } }
        & $add ''
        & $add "**$($names[$f]), $label**"
        & $add ''
        & $add '| Step | ms | JIT ms (this thread) | JIT ms (all threads) | JIT-compiled methods | Assemblies loaded |'
        & $add '|---|---|---|---|---|---|'
        foreach ($step in $results.breakdown[$f][$mode].GetEnumerator()) {
            & $add ('| {0} | {1:n0} | {2:n0} | {3:n0} | {4:n0} | {5:n0} |' -f $step.Key, $step.Value.ms, $step.Value.jitMs, $step.Value.jitAllMs, $step.Value.jitMethods, $step.Value.assemblies)
        }
    }
}
& $add ''
& $add '## Other figures'
& $add ''
& $add '| Benchmark | MgGraph | Alternative | Ratio | Target | Met |'
& $add '|---|---|---|---|---|---|'
$a = $results.all
if ($a) {
    & $add ("| ``Get-MgUser -All`` (100,000 users, page 999) into ``Measure-Object`` vs an ``Invoke-RestMethod`` nextLink loop | {0:n2} s | {1:n2} s | {2:n2} | <= 1.25 | {3} |" -f $a.mgSeconds, $a.irmSeconds, ($a.mgSeconds / $a.irmSeconds), (Format-Met ($a.mgSeconds -le 1.25 * $a.irmSeconds)))
    & $add ("| The same vs the bare page fetch (HttpClient, text only, no objects) | {0:n2} s | {1:n2} s | {2:n2} | <= 1.25 | {3} |" -f $a.mgSeconds, $a.httpSeconds, ($a.mgSeconds / $a.httpSeconds), (Format-Met ($a.mgSeconds -le 1.25 * $a.httpSeconds)))
    & $add ("| ``-All`` working-set growth (first run, fresh process) | +{0:n0} MB | - | - | <= 100 MB | {1} |" -f $a.growthMb, (Format-Met ($a.growthMb -le 100)))
}
else { & $add '| `Get-MgUser -All` (100,000 users) | not run (-Skip All) | - | - | <= 1.25 | - |' }
$b = $results.bulk
if ($b) {
    $bulkOk = $b.mggraph.results -eq $b.mggraph.inputs -and $b.mggraph.errors -eq 0 -and $b.mggraph.issued -eq $b.mggraph.inputs
    & $add ("| Bulk: 2,000 ``New-MgUserAuthenticationTemporaryAccessPassMethod``, 100 ms latency, 200 requests/s budget | {0:n0}/s ({1:n0} % of the budget) | ``ForEach-Object -Parallel`` + ``Invoke-RestMethod``: {2:n0}/s; sequential loop: {3:n1}/s | {4:n2} / {5:n2} | >= 90 % of the budget, nothing lost or doubled | {6} |" -f $b.mggraph.perSecond, (100 * $b.mggraph.perSecond / $b.rateLimit), $b.parallel.perSecond, $b.sequential.perSecond, ($b.mggraph.perSecond / $b.parallel.perSecond), ($b.mggraph.perSecond / $b.sequential.perSecond), (Format-Met ($bulkOk -and $b.mggraph.perSecond -ge 0.9 * $b.rateLimit)))
}
else { & $add '| Bulk under throttling | not run (-Skip Bulk) | - | - | >= 90 % of the budget | - |' }
if ($results.server) {
    & $add ("| Sandbox server: ``GET /v1.0/users/{{id}}`` under wrk (2 threads, 64 connections, 10 s) | {0:n0} requests/s (p99 {1}) | - | - | >= 20,000 | {2} |" -f $results.server.rps, $results.server.p99, (Format-Met ($results.server.rps -ge 20000 -and $results.server.non2xx -eq 0)))
}
else {
    $why = if ($Skip -contains 'Server') { '-Skip Server' } else { 'wrk is not installed' }
    & $add "| Sandbox server under wrk | not run: $why | - | - | >= 20,000 | - |"
}
& $add ''
& $add '## How each figure is taken'
& $add ''
$fr = $results.commands
& $add ('- **Fresh-process rows** (`tests/bench/Fresh.sh`, run by bash): per row and round, a bare start then the row''s command, each `pwsh -NoProfile -NonInteractive -Command <command>`; the module path holds this checkout''s `module/` (and the empty module). Commands: ' + (($fr.Keys | ForEach-Object { "$_ ``$($fr[$_])``" }) -join '; ') + '. The server rows sign in with a client secret to a `mggraph-sandbox` server on loopback (the demo tenant), what a runbook against a real tenant pays, less the network. SDK users report about 3,500 ms for a first call.')
foreach ($f in $shown) {
    $sf = $results.surface[$f]
    & $add ('- **First call of a new model, working set, {0}** (`tests/bench/Surface.ps1`): a fresh process imports MgGraph, connects to the in-process sandbox, calls `Get-MgUser -Top 1`, imports the three modules, then per cmdlet times its first call and the median of {1} warm calls ({2} such processes; each cmdlet''s row is the process with the median first-over-warm difference); the first of them then imports `Microsoft.Graph` and `Microsoft.Graph.Beta` and compares the working set after a full collection before and after.' -f $names[$f], 20, $SurfaceRuns)
}
foreach ($f in $shown) {
    $pc = $results.perCallWarm[$f]
    $cold = $results.perCallCold[$f]
    & $add ("- **Per call, {0}** (``tests/bench/PerCall.ps1``): one process, a ``mggraph-sandbox`` server on loopback, ``Get-MgUser -UserId <upn>`` (a typed object out) against ``Invoke-RestMethod`` on the same URL with a bearer token (a PSCustomObject out), in alternating blocks of 100; three processes, the one with the median ratio counts. Warm: {1:n0} vs {2:n0} µs a call; cold: {3:n0} vs {4:n0} µs." -f $names[$f], (1000 * $pc.mgMs / $pc.calls), (1000 * $pc.irmMs / $pc.calls), (1000 * $cold.mgMs / $cold.calls), (1000 * $cold.irmMs / $cold.calls))
}
if ($a) {
    & $add ("- **-All** (``tests/bench/All.ps1``, pwsh as installed here): a server seeded with 100,000 users. First MgGraph run in the fresh process: {0:n2} s, working set {1:n0} MB before, peak growth {2:n0} MB. Then each contender four times, alternating, each from a collected heap; its fastest run counts. Each checks it saw every user. The bare fetch only reads the pages' text: it is the floor (the server's and the wire's time), not something a script can use; MgGraph also builds 100,000 typed objects and streams them through the pipeline on the same two cores." -f $a.coldSeconds, $a.beforeMb, $a.growthMb)
}
if ($b) {
    & $add ("- **Bulk** (``tests/bench/Bulk.ps1``): ``mggraph-sandbox --latency-ms {0} --rate-limit {1}`` (resource units a second; each pass costs one, a ```$batch`` envelope none). MgGraph: ``-ThrottleLimit {2}``, {3:n1} s, {4} results, {5} errors, {6} passes issued by the sandbox, {7} throttled answers. ``ForEach-Object -Parallel -ThrottleLimit {2}`` with ``Invoke-RestMethod -MaximumRetryCount 5``: {8:n1} s, {9} results, {10} errors, {11} issued. Sequential loop (on {12} users): {13:n1} s, {14} issued." -f $b.latencyMs, $b.rateLimit, $b.throttleLimit, $b.mggraph.seconds, $b.mggraph.results, $b.mggraph.errors, $b.mggraph.issued, $b.mggraph.throttled, $b.parallel.seconds, $b.parallel.results, $b.parallel.errors, $b.parallel.issued, $b.sequential.inputs, $b.sequential.seconds, $b.sequential.issued)
}
if ($results.server) {
    & $add ("- **Sandbox server**: ``wrk -t2 -c64 -d10s --latency`` ({0}) against one user, with a valid token; wrk runs on the same 2 cores; {1} non-2xx answers." -f $results.server.version, $results.server.non2xx)
}
if ($results.Contains('engine') -and $results.engine) {
    $e = $results.engine
    $mb = { param($b) if ($null -eq $b) { '-' } else { '{0:n1} MB' -f ($b / 1MB) } }
    & $add ''
    & $add '## Engine without the sandbox'
    & $add ''
    & $add 'The emulator is the cargo feature `sandbox` (on by default; `src/emulator.rs` is the engine''s one seam to it). `.ci/bench` builds the engine with `cargo build --release --no-default-features --lib` and with the default features (linux-x64, `libmggraph.so`); stripped with `strip --strip-unneeded`, as `.ci/package` ships it; symbols counted with `nm -C`.'
    & $add ''
    & $add '| Engine | Size | Stripped | `mggraph::sandbox` symbols |'
    & $add '|---|---|---|---|'
    & $add ('| with the sandbox (default) | {0} | {1} | {2} |' -f (& $mb $e.withSandbox.bytes), (& $mb $e.withSandbox.stripped), $e.withSandbox.sandboxSymbols)
    & $add ('| `--no-default-features` | {0} | {1} | {2} |' -f (& $mb $e.without.bytes), (& $mb $e.without.stripped), $e.without.sandboxSymbols)
}
if ($inst) {
    & $add ''
    foreach ($l in (Format-InstallSection $inst)) { & $add $l }
}
& $add ''
& $add 'Run it again with `bash .ci/bench` (installs what is missing, builds the engine and the compiled layer, the package and a ReadyToRun copy of pwsh, then runs this script).'
$text = ($lines -join "`n") + "`n"
Set-Content -Path $Output -Value $text -NoNewline -Encoding utf8
Write-Host ''
Write-Host $text
Write-Host "wrote $([IO.Path]::GetFullPath($Output))"
