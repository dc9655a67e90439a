# The compiled surface's in-process costs: the first call of a cmdlet whose output model has
# not been used yet in the process (Get-MgApplication, Get-MgGroup, Get-MgDevice; their modules
# imported first, so the import is not counted here: the fresh-process rows count it) against a
# warm call of the same cmdlet, and the working set after importing every module (v1.0 and
# beta). Prints one JSON line.
# With -FirstCallsOnly, the first-call figures alone (the bench runs several processes and
# takes each cmdlet's median). With -SplitMetadata (a second process, for the notes): each cmdlet's parameter metadata is
# built first ((Get-Command).Parameters, which PowerShell caches per cmdlet class), so that the
# first call's remaining cost is the model's and the call's; no working-set figures.
[CmdletBinding()]
param([int] $Warm = 20, [switch] $SplitMetadata, [switch] $FirstCallsOnly)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$moduleDir = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
$env:PSModulePath = $moduleDir + [IO.Path]::PathSeparator + $env:PSModulePath

function Get-WorkingSetMb {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $me = [System.Diagnostics.Process]::GetCurrentProcess()
    $me.Refresh()
    $me.WorkingSet64 / 1MB
}

$startMb = Get-WorkingSetMb
Import-Module MgGraph
$mgGraphMb = Get-WorkingSetMb
Connect-MgGraph -Environment Sandbox -NoWelcome
$null = Get-MgUser -Top 1   # the engine, the session and the cmdlet base are warm from here on
Import-Module Microsoft.Graph.Applications, Microsoft.Graph.Groups, Microsoft.Graph.Identity.DirectoryManagement

$cmdlets = [ordered]@{}
$sw = [Diagnostics.Stopwatch]::new()
# Get-MgUser (warm: called above) goes through the loop first and is not counted: a statement's
# first run is PowerShell compiling the script's call site, whichever cmdlet it calls (measured:
# the first of the three paid about 1 ms more than it did last, whichever came first).
foreach ($name in 'Get-MgUser', 'Get-MgApplication', 'Get-MgGroup', 'Get-MgDevice') {
    # A model (microsoft.graph.application, .group, .device and their complex types) not used yet.
    $metadataMs = 0.0
    if ($SplitMetadata) { $sw.Restart(); $null = (Get-Command $name).Parameters.Count; $metadataMs = $sw.Elapsed.TotalMilliseconds }
    $jit0 = [System.Runtime.JitInfo]::GetCompilationTime($true)
    $sw.Restart()
    $null = & $name -Top 1
    $firstMs = $sw.Elapsed.TotalMilliseconds
    $jitMs = ([System.Runtime.JitInfo]::GetCompilationTime($true) - $jit0).TotalMilliseconds
    $times = [System.Collections.Generic.List[double]]::new()
    for ($i = 0; $i -lt $Warm; $i++) {
        $sw.Restart(); $null = & $name -Top 1; $times.Add($sw.Elapsed.TotalMilliseconds)
    }
    $times.Sort()
    if ($name -eq 'Get-MgUser') { continue }
    $cmdlets[$name] = [ordered]@{ firstMs = $firstMs; warmMs = $times[[int]($times.Count / 2)]; firstJitMs = $jitMs; metadataMs = $metadataMs }
}
if ($SplitMetadata -or $FirstCallsOnly) { [ordered]@{ cmdlets = $cmdlets } | ConvertTo-Json -Compress -Depth 4; return }

$before = Get-WorkingSetMb
Import-Module Microsoft.Graph, Microsoft.Graph.Beta
$modules = @(Get-Module Microsoft.Graph*).Count
$after = Get-WorkingSetMb
[ordered]@{
    cmdlets = $cmdlets; startMb = $startMb; mgGraphMb = $mgGraphMb; beforeMb = $before; afterMb = $after; modules = $modules
    assemblies = [AppDomain]::CurrentDomain.GetAssemblies().Count
} | ConvertTo-Json -Compress -Depth 4
