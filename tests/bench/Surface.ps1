# The generated surface's in-process costs: the first call of a cmdlet whose output model has
# not been used yet (its classes are emitted then) against a warm call of the same cmdlet,
# and the working set after importing every module (v1.0 and beta). Prints one JSON line.
[CmdletBinding()]
param([int] $Warm = 20)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$moduleDir = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
$env:PSModulePath = $moduleDir + [IO.Path]::PathSeparator + $env:PSModulePath

function Get-WorkingSetMb {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    [System.Diagnostics.Process]::GetCurrentProcess().Refresh()
    [System.Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB
}

Import-Module MgGraph
Connect-MgGraph -Environment Sandbox -NoWelcome
$null = Get-MgUser -Top 1   # the engine, the session and the interop are warm from here on

# A cmdlet whose model (microsoft.graph.application and its complex types) is not used yet.
$sw = [Diagnostics.Stopwatch]::StartNew()
$null = Get-MgApplication -Top 1
$firstMs = $sw.Elapsed.TotalMilliseconds
$times = [System.Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $Warm; $i++) {
    $sw.Restart(); $null = Get-MgApplication -Top 1; $times.Add($sw.Elapsed.TotalMilliseconds)
}
$times.Sort()
$warmMs = $times[[int]($times.Count / 2)]

$before = Get-WorkingSetMb
Import-Module Microsoft.Graph, Microsoft.Graph.Beta
$modules = @(Get-Module Microsoft.Graph*).Count
$after = Get-WorkingSetMb
[ordered]@{ firstMs = $firstMs; warmMs = $warmMs; beforeMb = $before; afterMb = $after; modules = $modules } | ConvertTo-Json -Compress
