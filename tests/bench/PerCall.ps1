# 1,000 sequential Get-MgUser -UserId against a sandbox server, against 1,000
# Invoke-RestMethod calls to the same server from the same process. Both get the same
# warm-up, then run interleaved in blocks of 100 so that neither profits from the other's
# warm-up or from a quieter moment of the machine. Prints one JSON line.
[CmdletBinding()]
param([int] $Calls = 1000, [int] $Block = 100, [int] $Warmup = 100)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')
Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')

$server = Start-SandboxServer
try {
    $token = Connect-BenchServer $server
    $upn = $server.admin
    $uri = "$($server.baseUrl)/v1.0/users/$upn"
    $headers = @{ Authorization = "Bearer $token" }
    $mg = { for ($i = 0; $i -lt $Block; $i++) { $null = Get-MgUser -UserId $upn } }
    $irm = { for ($i = 0; $i -lt $Block; $i++) { $null = Invoke-RestMethod -Uri $uri -Headers $headers } }
    # Same answer both ways, or the comparison means nothing.
    if ((Get-MgUser -UserId $upn).Id -ne (Invoke-RestMethod -Uri $uri -Headers $headers).id) { throw 'the two paths disagree' }
    for ($w = 0; $w -lt $Warmup; $w += $Block) { & $mg; & $irm }
    $mgMs = 0.0; $irmMs = 0.0
    $sw = [Diagnostics.Stopwatch]::new()
    for ($round = 0; $round -lt $Calls / $Block; $round++) {
        $sw.Restart(); & $mg; $mgMs += $sw.Elapsed.TotalMilliseconds
        $sw.Restart(); & $irm; $irmMs += $sw.Elapsed.TotalMilliseconds
    }
    [ordered]@{ calls = $Calls; warmup = $Warmup; mgMs = $mgMs; irmMs = $irmMs } | ConvertTo-Json -Compress
}
finally {
    Stop-SandboxServer $server
}
