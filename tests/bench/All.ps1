# Get-MgUser -All over 100,000 users at page size 999, streamed into Measure-Object, against
# the same pages fetched raw: an Invoke-RestMethod loop following @odata.nextLink (objects,
# as a script without the SDK gets them) and a bare HttpClient loop that only reads the text
# (the wire's floor). The first MgGraph run is in a fresh process and measures working-set
# growth; then each contender runs -Rounds times, alternating, and its fastest run counts.
[CmdletBinding()]
param([int] $Users = 100000, [int] $Rounds = 4)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')
Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')

$server = Start-SandboxServer -Arguments @('--empty', '--seed-users', "$Users")
try {
    $token = Connect-BenchServer $server
    $first = "$($server.baseUrl)/v1.0/users?`$top=999"
    $headers = @{ Authorization = "Bearer $token" }
    $expected = [int](Invoke-RestMethod -Uri "$($server.baseUrl)/v1.0/users/`$count" -Headers ($headers + @{ ConsistencyLevel = 'eventual' }))
    $client = [System.Net.Http.HttpClient]::new()
    $client.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $token)
    $next = [regex]::new('"@odata\.nextLink":"([^"]+)"')

    $runs = @{
        mg   = { (Get-MgUser -All -PageSize 999 | Measure-Object).Count }
        irm  = {
            $n = 0; $uri = $first
            while ($uri) { $page = Invoke-RestMethod -Uri $uri -Headers $headers; $n += $page.value.Count; $uri = $page.PSObject.Properties['@odata.nextLink']?.Value }
            $n
        }
        http = {
            $n = 0; $uri = $first
            while ($uri) {
                $text = $client.GetStringAsync($uri).GetAwaiter().GetResult()
                $n += ([regex]::Matches($text, '"userPrincipalName"')).Count
                $m = $next.Match($text); $uri = if ($m.Success) { $m.Groups[1].Value } else { $null }
            }
            $n
        }
    }
    $me = [System.Diagnostics.Process]::GetCurrentProcess()
    [GC]::Collect(); $me.Refresh()
    $before = $me.WorkingSet64
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $count = & $runs.mg
    $coldSeconds = $sw.Elapsed.TotalSeconds
    $me.Refresh()
    $growthMb = ($me.PeakWorkingSet64 - $before) / 1MB
    if ($count -ne $expected) { throw "Get-MgUser -All streamed $count users, expected $expected" }
    $best = @{ mg = [double]::MaxValue; irm = [double]::MaxValue; http = [double]::MaxValue }
    foreach ($round in 1..$Rounds) {
        foreach ($name in 'mg', 'irm', 'http') {
            # Each starts from a collected heap, so none pays for another's garbage.
            [GC]::Collect()
            $sw.Restart()
            $n = & $runs[$name]
            $t = $sw.Elapsed.TotalSeconds
            if ($n -ne $expected) { throw "$name saw $n users, expected $expected" }
            $best[$name] = [Math]::Min($best[$name], $t)
        }
    }
    [ordered]@{
        users = $count; coldSeconds = $coldSeconds; growthMb = $growthMb; beforeMb = $before / 1MB
        mgSeconds = $best.mg; irmSeconds = $best.irm; httpSeconds = $best.http
    } | ConvertTo-Json -Compress
}
finally {
    Stop-SandboxServer $server
}
