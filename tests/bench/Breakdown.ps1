<#
.SYNOPSIS
    Where a fresh process's time goes: an in-process Stopwatch over each step of a first run,
    with the JIT time (on the script's thread, and on all threads: tiered re-compilation runs in
    the background), JIT-compiled methods and assemblies loaded during the step.

.DESCRIPTION
    Run in a fresh pwsh with -File (Invoke-Benchmarks.ps1 does, a few times per pwsh flavour,
    and takes medians). Modes:
    - Server: Import-Module MgGraph, Import-Module Microsoft.Graph.Users, Connect-MgGraph
      -ClientSecretCredential to a mggraph-sandbox server, the first Get-MgUser, then for
      Applications, Groups and Identity.DirectoryManagement the module's import and its first
      Get-MgApplication / Get-MgGroup / Get-MgDevice, then the largest module's import in parts
      (Assembly.LoadFrom, GetTypes and attributes, then Import-Module).
    - Sandbox: Import-Module MgGraph, Connect-MgGraph -Environment Sandbox, the first Get-MgUser
      (auto-loading Microsoft.Graph.Users).
    - List: Get-Command -Module Microsoft.Graph* (nothing imported before).
    'start' is the time from the process's start to the script's first line (pwsh itself).
    Prints one JSON line: { mode, steps: [ { name, ms, jitMs, jitAllMs, jitMethods, assemblies } ] }.
#>
[CmdletBinding()]
param(
    [ValidateSet('Server', 'Sandbox', 'List')] [string] $Mode = 'Server',
    [string] $BaseUrl, [string] $TenantId, [string] $ClientId, [string] $Secret,
    [string] $UserId = 'admin@contoso.onmicrosoft.com',
    [string] $Largest
)
$startMs = ([DateTime]::Now - [System.Diagnostics.Process]::GetCurrentProcess().StartTime).TotalMilliseconds
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# .NET calls only before the steps: a cmdlet such as Join-Path would load PowerShell's own
# Microsoft.PowerShell.Management module here and leave the first step's share of that unmeasured.
$moduleDir = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '../../module'))
if (($env:PSModulePath -split [IO.Path]::PathSeparator) -notcontains $moduleDir) { $env:PSModulePath = $moduleDir + [IO.Path]::PathSeparator + $env:PSModulePath }

$steps = [System.Collections.Generic.List[object]]::new()
$steps.Add([ordered]@{
        name = 'start'; ms = $startMs
        jitMs = [System.Runtime.JitInfo]::GetCompilationTime($true).TotalMilliseconds
        jitAllMs = [System.Runtime.JitInfo]::GetCompilationTime($false).TotalMilliseconds
        jitMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false); assemblies = [AppDomain]::CurrentDomain.GetAssemblies().Count
    })
$sw = [System.Diagnostics.Stopwatch]::new()
function Step([string] $Name, [scriptblock] $Body) {
    $jit0 = [System.Runtime.JitInfo]::GetCompilationTime($true)
    $jitAll0 = [System.Runtime.JitInfo]::GetCompilationTime($false)
    $methods0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
    $asm0 = [AppDomain]::CurrentDomain.GetAssemblies().Count
    $sw.Restart()
    $null = . $Body
    $ms = $sw.Elapsed.TotalMilliseconds
    $steps.Add([ordered]@{
            name = $Name; ms = $ms
            jitMs = ([System.Runtime.JitInfo]::GetCompilationTime($true) - $jit0).TotalMilliseconds
            jitAllMs = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jitAll0).TotalMilliseconds
            jitMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $methods0
            assemblies = [AppDomain]::CurrentDomain.GetAssemblies().Count - $asm0
        })
}
Step 'noop' { }   # the helper's own first use, not counted against anything
# The native engine's load on its own (the core's binding; skipped if the core has no such
# member), so that Connect-MgGraph's step is the sign-in alone.
$engine = { try { [MgGraph.PowerShell.Engine]::Version } catch { $null } }

switch ($Mode) {
    'Server' {
        Step 'Import-Module MgGraph' { Import-Module MgGraph }
        Step 'Import-Module Microsoft.Graph.Users' { Import-Module Microsoft.Graph.Users }
        Step 'the engine loaded (libmggraph, its version)' $engine
        Step 'first Get-MgContext (the core''s first command)' { Get-MgContext }
        Step 'Add-MgEnvironment' { Add-MgEnvironment -Name Bench -AzureADEndpoint $BaseUrl -GraphEndpoint $BaseUrl | Out-Null }
        Step 'Connect-MgGraph -ClientSecretCredential' {
            Connect-MgGraph -Environment Bench -TenantId $TenantId -NoWelcome -ClientSecretCredential ([pscredential]::new($ClientId, (ConvertTo-SecureString $Secret -AsPlainText -Force)))
        }
        Step 'first Get-MgUser -UserId' { Get-MgUser -UserId $UserId }
        Step 'second Get-MgUser -UserId' { Get-MgUser -UserId $UserId }
        Step 'Import-Module Microsoft.Graph.Applications' { Import-Module Microsoft.Graph.Applications }
        Step 'first Get-MgApplication -Top 1' { Get-MgApplication -Top 1 }
        Step 'Import-Module Microsoft.Graph.Groups' { Import-Module Microsoft.Graph.Groups }
        Step 'first Get-MgGroup -Top 1' { Get-MgGroup -Top 1 }
        Step 'Import-Module Microsoft.Graph.Identity.DirectoryManagement' { Import-Module Microsoft.Graph.Identity.DirectoryManagement }
        Step 'first Get-MgDevice -Top 1' { Get-MgDevice -Top 1 }
        if ($Largest) {
            # What the import of a large binary module does, in parts: the assembly's load, the
            # reflection over its types and their attributes, then PowerShell's own work (the
            # import step proper, with the assembly already loaded and its metadata read).
            $dll = [IO.Path]::Combine($moduleDir, $Largest, "$Largest.dll")
            # Its models first, as its manifest's RequiredAssemblies loads them (its cmdlets'
            # attributes name model types).
            $models = [IO.Path]::Combine($moduleDir, 'Microsoft.Graph.Authentication', 'bin', $(if ($Largest -like 'Microsoft.Graph.Beta.*') { 'MgGraph.Models.Beta.dll' } else { 'MgGraph.Models.dll' }))
            Step "$Largest`: its models' Assembly.LoadFrom" { $null = [System.Reflection.Assembly]::LoadFrom($models) }
            Step "$Largest`: Assembly.LoadFrom" { $script:asm = [System.Reflection.Assembly]::LoadFrom($dll) }
            Step "$Largest`: GetTypes and their custom attributes" { foreach ($t in $script:asm.GetTypes()) { $null = $t.GetCustomAttributes($true) } }
            Step "Import-Module $Largest" { Import-Module $Largest }
        }
    }
    'Sandbox' {
        Step 'Import-Module MgGraph' { Import-Module MgGraph }
        Step 'the engine loaded (libmggraph, its version)' $engine
        Step 'first Get-MgContext (the core''s first command)' { Get-MgContext }
        Step 'Connect-MgGraph -Environment Sandbox' { Connect-MgGraph -Environment Sandbox -NoWelcome }
        Step 'first Get-MgUser -UserId (auto-loads Microsoft.Graph.Users)' { Get-MgUser -UserId $UserId }
        Step 'second Get-MgUser -UserId' { Get-MgUser -UserId $UserId }
    }
    'List' {
        Step 'Get-Command -Module Microsoft.Graph*' { Get-Command -Module Microsoft.Graph* }
    }
}
$steps.RemoveAt(1)   # 'noop'
[ordered]@{ mode = $Mode; steps = $steps } | ConvertTo-Json -Compress -Depth 4
