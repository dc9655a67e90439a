Set-StrictMode -Version Latest

# The request engine at scale, from PowerShell: bulk pipelines (-ThrottleLimit), request
# settings, traces, cancellation (a stopped pipeline) and the soak test.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force

    function script:Connect-Server($Server, [string] $Name) {
        Add-MgEnvironment -Name $Name -AzureADEndpoint $Server.baseUrl -GraphEndpoint $Server.baseUrl | Out-Null
        Connect-MgGraph -Environment $Name -TenantId $Server.tenantId -ClientSecretCredential (New-SecretCredential $Server.clientId $Server.clientSecret) -NoWelcome
    }

    function script:Get-Stats($Server) { Invoke-RestMethod "$($Server.baseUrl)/_sandbox/stats" }
}

AfterAll {
    Set-MgRequestContext -MaxRetry 3 -RetryDelay 3 -ThrottleLimit 1 | Out-Null
    Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null
}

Describe 'Request settings' {
    It 'have the SDK defaults and limits' {
        $c = Get-MgRequestContext
        $c.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Authentication.GraphRequestContext'
        $c.MaxRetry | Should -Be 3
        $c.RetryDelay | Should -Be 3
        $c.RetriesTimeLimit | Should -Be 0
        $c.ClientTimeout | Should -Be 300
        $c.ThrottleLimit | Should -Be 1
        { Set-MgRequestContext -MaxRetry 11 } | Should -Throw
        { Set-MgRequestContext -RetryDelay 181 } | Should -Throw
        (Set-MgRequestContext -MaxRetry 5).MaxRetry | Should -Be 5
        (Get-MgRequestContext).MaxRetry | Should -Be 5
        Set-MgRequestContext -MaxRetry 3 | Out-Null
    }
}

Describe 'Bulk pipelines' {
    BeforeAll {
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{ SeedUsers = 200; Empty = $true } -NoWelcome
        $script:Inputs = 1..80 | ForEach-Object {
            $upn = if ($_ % 9 -eq 0) { "ghost$_@contoso.onmicrosoft.com" } else { 'seed{0:d6}@contoso.onmicrosoft.com' -f $_ }
            [pscustomobject]@{ UserId = $upn }
        }
    }

    It 'by default runs one request after another, exactly as the SDK' {
        $err = $null
        $out = $script:Inputs | Get-MgUser -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 72
        $err.Count | Should -Be 8
    }

    It 'with -ThrottleLimit keeps input order and writes one ErrorRecord per failed input' {
        $err = $null
        $out = $script:Inputs | Get-MgUser -ThrottleLimit 8 -ErrorVariable err -ErrorAction SilentlyContinue
        $expected = @($script:Inputs.UserId | Where-Object { $_ -notlike 'ghost*' })
        @($out.UserPrincipalName) | Should -Be $expected
        $err.Count | Should -Be 8
        $err[0].TargetObject.UserId | Should -Be 'ghost9@contoso.onmicrosoft.com'
        $err[0].TargetObject.PipelineIndex | Should -Be 8
        $err[0].Exception.Message | Should -Match 'Status: 404 \(NotFound\)'
        @($err.TargetObject.UserId) | Should -Be @($script:Inputs.UserId | Where-Object { $_ -like 'ghost*' })
    }

    It 'takes a session-wide default from Set-MgRequestContext -ThrottleLimit' {
        Set-MgRequestContext -ThrottleLimit 6 | Out-Null
        try {
            (Get-MgRequestContext).ThrottleLimit | Should -Be 6
            $out = $script:Inputs | Select-Object -First 8 | Get-MgUser
            @($out.UserPrincipalName) | Should -Be @($script:Inputs[0..7].UserId)
        }
        finally { Set-MgRequestContext -ThrottleLimit 1 | Out-Null }
    }

    It '-ErrorAction Stop stops a bulk run at the first failure' {
        $seen = [System.Collections.Generic.List[object]]::new()
        { $script:Inputs | Get-MgUser -ThrottleLimit 4 -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } | Should -Throw '*does not exist*'
        $seen.Count | Should -BeLessThan 72
    }

    It 'creates in bulk: the objects exist once each' {
        $group = New-MgGroup -DisplayName 'Bulk' -MailEnabled:$false -MailNickname bulk -SecurityEnabled
        $users = Get-MgUser -All -Filter "startswith(displayName,'Seed User')" -Property Id
        $ok = $users | Select-Object @{ n = 'DirectoryObjectId'; e = { $_.Id } } | New-MgGroupMember -GroupId $group.Id -ThrottleLimit 8 -PassThru
        @($ok).Count | Should -Be 200
        $members = Get-MgGroupMember -GroupId $group.Id -All
        @($members).Count | Should -Be 200
        @($members.Id | Sort-Object -Unique).Count | Should -Be 200
    }
}

Describe 'Bulk under a resource-unit budget' {
    It 'issues a pass to every user once, pacing itself instead of failing on 429s' {
        $server = Start-SandboxServer -Arguments @('--empty', '--seed-users', '300', '--rate-limit', '100', '--latency-ms', '20')
        try {
            Connect-Server $server 'Budget'
            Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass -BodyParameter @{
                '@odata.type' = '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'; state = 'enabled'
            }
            $users = @(Get-MgUser -All -Filter "startswith(displayName,'Seed User')" -Property Id)
            $users.Count | Should -Be 300
            $before = Get-Stats $server
            $errors = $null
            $taps = @($users | Select-Object @{ n = 'UserId'; e = { $_.Id } } | New-MgUserAuthenticationTemporaryAccessPassMethod -IsUsableOnce -LifetimeInMinutes 60 -ThrottleLimit 8 -ErrorVariable errors -ErrorAction SilentlyContinue)
            $after = Get-Stats $server
            Write-Host "budget: 300 passes, $($after.throttled - $before.throttled) throttled answers"
            $errors.Count | Should -Be 0
            $taps.Count | Should -Be 300
            @($taps.TemporaryAccessPass | Sort-Object -Unique).Count | Should -Be 300
            # Nothing sent twice: the sandbox issued exactly one pass per input.
            ($after.tapsIssued - $before.tapsIssued) | Should -Be 300
            # The service had to throttle (the budget is a third of the work a second), but
            # the run backed off rather than hammering.
            ($after.throttled - $before.throttled) | Should -BeGreaterThan 0
            ($after.throttled - $before.throttled) | Should -BeLessThan 180
        }
        finally {
            Stop-SandboxServer $server
        }
    }
}

Describe 'Traces' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -SandboxOptions @{ SeedUsers = 100; Empty = $true } -NoWelcome }

    It '-Debug prints the HTTP REQUEST and RESPONSE blocks without Authorization' {
        $debug = Get-MgUser -UserId admin@contoso.onmicrosoft.com -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message
        $text = $debug -join "`n"
        $text | Should -Match '={28} HTTP REQUEST ={28}'
        $text | Should -Match '(?s)HTTP Method:\nGET\n\nAbsolute Uri:\nhttp://127\.0\.0\.1:\d+/v1\.0/users/admin@contoso\.onmicrosoft\.com'
        $text | Should -Match '={28} HTTP RESPONSE ={28}'
        $text | Should -Match '(?s)Status Code:\nOK'
        $text | Should -Not -Match '(?i)authorization'
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]+\.'
    }

    It '-Debug cuts long bodies and hides secret fields' {
        $debug = New-MgUser -DisplayName 'Trace' -MailNickname trace -UserPrincipalName trace@contoso.onmicrosoft.com -AccountEnabled -PasswordProfile @{ Password = 'Tr4ce-Secret-Value!' } -Debug 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message
        ($debug -join "`n") | Should -Not -Match 'Tr4ce-Secret-Value'
        ($debug -join "`n") | Should -Match 'REDACTED'
        $long = Get-MgUser -Top 200 -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message
        ($long -join "`n") | Should -Match 'DATA TRUNCATED DUE TO SIZE'
    }

    It '-Verbose prints one line per request: method, URL, status, time, retries' {
        $verbose = Get-MgUser -UserId admin@contoso.onmicrosoft.com -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        @($verbose).Count | Should -Be 1
        $verbose | Should -Match '^GET http://127\.0\.0\.1:\d+/v1\.0/users/admin@contoso\.onmicrosoft\.com: 200 OK \(\d+ ms, 0 retries\)$'
    }
}

Describe 'A stopped pipeline cancels the work' {
    BeforeAll {
        $script:Slow = Start-SandboxServer -Arguments @('--empty', '--seed-users', '3000', '--latency-ms', '40')
    }
    AfterAll { Stop-SandboxServer $script:Slow }

    It 'Ctrl+C stops -All and bulk runs within a second and leaves nothing running' {
        foreach ($script in @(
                "Get-MgUser -All -PageSize 10 | Out-Null",
                "Get-MgUser -All -PageSize 50 -Property Id | ForEach-Object { [pscustomobject]@{ UserId = `$_.Id } } | Get-MgUser -ThrottleLimit 8 | Out-Null")) {
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$(Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')'; Set-StrictMode -Version Latest
                Add-MgEnvironment -Name Slow -AzureADEndpoint '$($Slow.baseUrl)' -GraphEndpoint '$($Slow.baseUrl)' | Out-Null
                Connect-MgGraph -Environment Slow -TenantId '$($Slow.tenantId)' -ClientSecretCredential ([pscredential]::new('$($Slow.clientId)', (ConvertTo-SecureString '$($Slow.clientSecret)' -AsPlainText -Force))) -NoWelcome
                $script")
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while ((Get-Stats $Slow).requests -lt 15 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 1 -Because $script
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Start-Sleep -Milliseconds 300
            $settled = (Get-Stats $Slow).requests
            Start-Sleep -Milliseconds 600
            $later = Get-Stats $Slow
            $later.requests | Should -Be ($settled + 1) -Because 'only this stats request came after the stop'
            $later.inFlight | Should -Be 1 -Because 'only this stats request is in flight'
            $ps.Dispose()
        }
    }
}

Describe 'Soak' -Tag 'Soak' {
    It '10,000 operations through the bulk path with 20% 429, 5% 503 and 2% dropped connections: each input accounted for once, no duplicates' {
        $server = Start-SandboxServer -Arguments @('--empty', '--seed-users', '10000', '--fault-429', '0.2', '--fault-503', '0.05', '--fault-drop', '0.02', '--retry-after', '0', '--fault-seed', '2026')
        try {
            Connect-Server $server 'Soak'
            Set-MgRequestContext -MaxRetry 10 -RetryDelay 0 | Out-Null
            $group = New-MgGroup -DisplayName 'Soak' -MailEnabled:$false -MailNickname soak -SecurityEnabled -ErrorAction Stop
            $users = @(Get-MgUser -All -Filter "startswith(displayName,'Seed User')" -Property Id -ErrorAction Stop)
            $users.Count | Should -Be 10000
            $errors = $null
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $results = @($users | Select-Object @{ n = 'DirectoryObjectId'; e = { $_.Id } } | New-MgGroupMember -GroupId $group.Id -ThrottleLimit 16 -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue)
            Write-Host "soak: 10000 inputs in $([int]$sw.Elapsed.TotalSeconds) s: $($results.Count) results, $($errors.Count) ErrorRecords"
            # Each input is accounted for exactly once: a result or an ErrorRecord naming it.
            ($results.Count + $errors.Count) | Should -Be 10000
            @($results | Where-Object { $_ -ne $true }).Count | Should -Be 0
            $failedIds = @($errors.TargetObject.DirectoryObjectId)
            @($failedIds | Sort-Object -Unique).Count | Should -Be $errors.Count
            @($errors.TargetObject.PipelineIndex | Sort-Object -Unique).Count | Should -Be $errors.Count
            # The sandbox holds each success once, and nothing that failed.
            $members = @(Get-MgGroupMember -GroupId $group.Id -All -ErrorAction Stop)
            $members.Count | Should -Be $results.Count
            @($members.Id | Sort-Object -Unique).Count | Should -Be $members.Count
            $failed = [System.Collections.Generic.HashSet[string]]::new([string[]]$failedIds)
            @($members | Where-Object { $failed.Contains($_.Id) }).Count | Should -Be 0
        }
        finally {
            Set-MgRequestContext -MaxRetry 3 -RetryDelay 3 | Out-Null
            Stop-SandboxServer $server
        }
    }
}
