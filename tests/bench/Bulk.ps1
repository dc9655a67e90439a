# Issuing 2,000 Temporary Access Passes with the sandbox at 100 ms latency and a budget of
# 200 requests a second: MgGraph's bulk pipeline (-ThrottleLimit), against a sequential loop
# of the same cmdlet (the SDK's only way; on a sample, as it takes minutes) and against
# ForEach-Object -Parallel with Invoke-RestMethod (what admins reach for). The sandbox counts
# the passes it issues, so a pass sent twice or lost shows. Prints one JSON line.
[CmdletBinding()]
param([int] $Users = 2000, [int] $SequentialSample = 200, [int] $ThrottleLimit = 10,
    [int] $LatencyMs = 100, [int] $RateLimit = 200)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Common.psm1')
Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')

$server = Start-SandboxServer -Arguments @('--empty', '--seed-users', "$Users", '--latency-ms', "$LatencyMs", '--rate-limit', "$RateLimit")
try {
    $token = Connect-BenchServer $server
    Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass -BodyParameter @{
        '@odata.type' = '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'; state = 'enabled'
    }
    $targets = @(Get-MgUser -All -Filter "startswith(displayName,'Seed User')" -Property Id)
    if ($targets.Count -ne $Users) { throw "expected $Users seeded users, found $($targets.Count)" }

    function Measure-Run([scriptblock] $Run, [int] $Inputs) {
        # Lets the budget refill, runs, and reads what the sandbox saw.
        Start-Sleep -Seconds 2
        $before = Get-BenchStats $server
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $ok, $failed = & $Run
        $seconds = $sw.Elapsed.TotalSeconds
        $after = Get-BenchStats $server
        [ordered]@{
            inputs = $Inputs; results = $ok; errors = $failed; seconds = $seconds
            perSecond = $ok / $seconds
            issued = $after.tapsIssued - $before.tapsIssued
            throttled = $after.throttled - $before.throttled
        }
    }

    $bulk = Measure-Run -Inputs $targets.Count {
        $errors = $null
        $out = @($targets | New-MgUserAuthenticationTemporaryAccessPassMethod -IsUsableOnce -LifetimeInMinutes 60 -ThrottleLimit $ThrottleLimit -ErrorVariable errors -ErrorAction SilentlyContinue)
        @($out | Where-Object TemporaryAccessPass).Count, @($errors).Count
    }
    $sample = $targets[0..($SequentialSample - 1)]
    $sequential = Measure-Run -Inputs $sample.Count {
        $ok = 0; $failed = 0
        foreach ($u in $sample) {
            $tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $u.Id -IsUsableOnce -LifetimeInMinutes 60 -ErrorAction SilentlyContinue -ErrorVariable e
            if ($tap) { $ok++ } else { $failed++ }
        }
        $ok, $failed
    }
    $base = $server.baseUrl
    $parallel = Measure-Run -Inputs $targets.Count {
        $results = $targets | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
            $headers = @{ Authorization = "Bearer $using:token" }
            $body = '{"isUsableOnce":true,"lifetimeInMinutes":60}'
            try {
                $r = Invoke-RestMethod -Method Post -Uri "$using:base/v1.0/users/$($_.Id)/authentication/temporaryAccessPassMethods" -Headers $headers -Body $body -ContentType 'application/json' -MaximumRetryCount 5 -RetryIntervalSec 1
                [bool]$r.temporaryAccessPass
            }
            catch { $false }
        }
        @($results | Where-Object { $_ }).Count, @($results | Where-Object { -not $_ }).Count
    }
    [ordered]@{ rateLimit = $RateLimit; latencyMs = $LatencyMs; throttleLimit = $ThrottleLimit; mggraph = $bulk; sequential = $sequential; parallel = $parallel } | ConvertTo-Json -Compress -Depth 4
}
finally {
    Stop-SandboxServer $server
}
