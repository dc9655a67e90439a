# Shared pieces of the benchmarks: a signed-in module against a sandbox server, a raw
# bearer token for the alternatives, and small statistics helpers.
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../pester/support/TestHelpers.psm1')

function Connect-BenchServer {
    # Signs MgGraph in to a sandbox server (client secret) and returns a raw bearer token
    # for the Invoke-RestMethod alternatives.
    param($Server)
    Add-MgEnvironment -Name Bench -AzureADEndpoint $Server.baseUrl -GraphEndpoint $Server.baseUrl | Out-Null
    Connect-MgGraph -Environment Bench -TenantId $Server.tenantId -ClientSecretCredential (New-SecretCredential $Server.clientId $Server.clientSecret) -NoWelcome
    $body = @{ grant_type = 'client_credentials'; client_id = $Server.clientId; client_secret = $Server.clientSecret; scope = 'https://graph.microsoft.com/.default' }
    (Invoke-RestMethod -Method Post -Uri "$($Server.baseUrl)/$($Server.tenantId)/oauth2/v2.0/token" -Body $body).access_token
}

function Get-BenchStats($Server) { Invoke-RestMethod "$($Server.baseUrl)/_sandbox/stats" }

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

function Format-InstallSection {
    # The "Installed package" section of BENCHMARKS.md, from Install.ps1's result. A result
    # with sizes only (the staged package measured when no .nupkg could be written: its
    # 'source' says so) gives the size rows alone.
    param($R)
    $mb = { param([double] $Bytes) '{0:n1} MB' -f ($Bytes / 1MB) }
    $met = { param([bool] $Ok) if ($Ok) { 'yes' } else { '**no**' } }
    $has = { param([string] $Key) if ($R -is [System.Collections.IDictionary]) { $R.Contains($Key) } else { [bool]$R.PSObject.Properties[$Key] } }
    $full = & $has 'firstMs'
    $source = if (& $has 'source') { $R.source } else { "MgGraph $($R.version) as ``.ci/package`` builds it (linux-x64, with the compiled cmdlets and models), installed with ``Install-PSResource -Scope CurrentUser`` from a local repository into an empty home, measured in fresh processes whose module path holds only that install (``tests/bench/Install.ps1``)." }
    @(
        '## Installed package'
        ''
        $source
        ''
        '| Figure | MgGraph | Microsoft Graph PowerShell SDK | Target | Met |'
        '|---|---|---|---|---|'
        if (& $has 'nupkgBytes') { "| Package (``MgGraph.$($R.version).nupkg``) | $(& $mb $R.nupkgBytes) | - | - | - |" }
        "| Azure Automation zip (``MgGraph.zip``: the module folder, zipped) | $(& $mb $R.automationZipBytes) | ``Microsoft.Graph.Authentication`` alone 42 MB, ``Files`` over 150 MB | <= 30 MB | $(& $met ($R.automationZipBytes -le 30MB)) |"
        "| Installed module tree (engine $(& $mb $R.engineBytes), ``mggraph-sandbox`` $(& $mb $R.serverBytes), SDK-named modules $(& $mb $R.sdkBytes), of which assemblies $(& $mb $R.assemblyBytes)) | $(& $mb $R.installedBytes) | the whole SDK about 1,060 MB (v2.28) | <= 50 MB | $(& $met ($R.installedBytes -le 50MB)) |"
        if ($full) {
            $firstOver = $R.firstMs - $R.bareMs
            ("| A first call from the install (``Import-Module``, ``Connect-MgGraph -Environment Sandbox``, one ``Get-MgUser``) over a bare ``pwsh -NoProfile`` start | +{0:n0} ms | - | <= 1,000 ms | {1} |" -f $firstOver, (& $met ($firstOver -le 1000)))
            ("| Runbook peak working set: the walk-through, then ``Get-MgUser -All`` over {0:n0} users into ``Measure-Object`` | {1:n0} MB | - | <= 400 MB | {2} |" -f $R.runbookUsers, $R.runbookPeakMb, (& $met ($R.runbookPeakMb -le 400)))
            ''
            ("- **A first call from the install**: {0} fresh processes each, alternating, medians (after one of each, not counted, that pages the runtime in and writes the new home's module analysis cache): bare ``pwsh -NoProfile -NonInteractive -Command exit`` {1:n0} ms; ``Import-Module MgGraph``, ``Connect-MgGraph -Environment Sandbox``, one ``Get-MgUser`` {2:n0} ms. pwsh as installed here (a .NET tool, not ReadyToRun); load average {3} on the 2 cores when measured." -f $R.iterations, $R.bareMs, $R.firstMs, $R.loadAverage)
            ("- **Runbook**: one fresh process runs ``examples/TapOnboarding.ps1`` from the install (in-process sandbox), then signs in with a client secret to the packaged ``mggraph-sandbox`` server seeded with {0:n0} users and streams ``Get-MgUser -All`` into ``Measure-Object``; {1:n1} s in all. The peak is the process's peak resident set (``VmHWM``), the figure an Automation sandbox's memory limit applies to." -f $R.runbookUsers, $R.runbookSeconds)
        }
    )
}

Export-ModuleMember -Function Format-InstallSection, Connect-BenchServer, Get-BenchStats, Get-Median, Start-SandboxServer, Stop-SandboxServer, Get-PwshCommand, Get-RepoPath
