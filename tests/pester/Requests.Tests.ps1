Set-StrictMode -Version Latest

# Invoke-MgGraphRequest and Invoke-MgGraphBatchRequest.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    Connect-MgGraph -Environment Sandbox -SandboxOptions @{} -NoWelcome
    $script:Admin = 'admin@contoso.onmicrosoft.com'
}

AfterAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

Describe 'Invoke-MgGraphRequest' {
    It 'accepts every relative URI form the SDK does' {
        foreach ($uri in "/v1.0/users/$($script:Admin)", "v1.0/users/$($script:Admin)", "/beta/users/$($script:Admin)", "beta/users/$($script:Admin)") {
            (Invoke-MgGraphRequest -Uri $uri)['userPrincipalName'] | Should -Be $script:Admin
        }
    }

    It 'accepts an absolute URI on the environment''s Graph host' {
        $base = (Get-MgEnvironment -Name Sandbox).GraphEndpoint
        (Invoke-MgGraphRequest -Uri "$base/v1.0/users/$($script:Admin)").id | Should -Not -BeNullOrEmpty
    }

    It 'sends Graph''s public URLs (every cloud''s), as docs write them, to the sandbox in a sandbox session' {
        foreach ($origin in 'https://graph.microsoft.com', 'https://graph.microsoft.us', 'https://microsoftgraph.chinacloudapi.cn') {
            (Invoke-MgGraphRequest -Uri "$origin/v1.0/users/$($script:Admin)")['userPrincipalName'] | Should -Be $script:Admin
        }
        # Any other host is still refused: the token goes to the session's own origin only.
        { Invoke-MgGraphRequest -Uri 'https://graph.example.com/v1.0/me' -ErrorAction Stop } | Should -Throw '*not the session''s Graph endpoint*'
    }

    It 'returns a case-insensitive Hashtable by default, nested too, and does not page' {
        $r = Invoke-MgGraphRequest -Uri '/v1.0/users?$top=2'
        $r | Should -BeOfType [hashtable]
        $r['VALUE'].Count | Should -Be 2
        $r['value'][0] | Should -BeOfType [hashtable]
        $r['value'][0]['USERPRINCIPALNAME'] | Should -Not -BeNullOrEmpty
        $r['@odata.nextLink'] | Should -Match '\$skiptoken='
    }

    It 'returns PSObject, Json and HttpResponseMessage on request' {
        (Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputType PSObject).userPrincipalName | Should -Be $script:Admin
        $json = Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputType Json
        $json | Should -BeOfType [string]
        ($json | ConvertFrom-Json).userPrincipalName | Should -Be $script:Admin
        $msg = Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputType HttpResponseMessage
        $msg | Should -BeOfType [System.Net.Http.HttpResponseMessage]
        [int]$msg.StatusCode | Should -Be 200
        $msg.Content.ReadAsStringAsync().GetAwaiter().GetResult() | Should -Match $script:Admin
        $msg.Headers.GetValues('request-id') | Should -Not -BeNullOrEmpty
    }

    It 'sends hashtable, PSObject and string bodies; a GET hashtable body becomes the query' {
        $u = Invoke-MgGraphRequest -Method POST -Uri /v1.0/users -Body @{ accountEnabled = $true; displayName = 'Body 1'; mailNickname = 'body1'; userPrincipalName = 'body1@contoso.onmicrosoft.com'; passwordProfile = @{ password = 'xWwvJ]6NMw+bWH-d' } }
        $u['displayName'] | Should -Be 'Body 1'
        Invoke-MgGraphRequest -Method PATCH -Uri "/v1.0/users/$($u['id'])" -Body ([pscustomobject]@{ jobTitle = 'A' })
        Invoke-MgGraphRequest -Method PATCH -Uri "/v1.0/users/$($u['id'])" -Body '{"department":"B"}'
        $after = Invoke-MgGraphRequest -Uri "/v1.0/users/$($u['id'])" -Body @{ '$select' = 'jobTitle,department' }
        $after['jobTitle'] | Should -Be 'A'
        $after['department'] | Should -Be 'B'
        $after.Keys | Should -Not -Contain 'displayName'
    }

    It 'sets -StatusCodeVariable and -ResponseHeadersVariable' {
        $null = Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -StatusCodeVariable sc -ResponseHeadersVariable rh
        $sc | Should -Be 200
        $rh['client-request-id'] | Should -Not -BeNullOrEmpty
    }

    It 'writes the body to -OutputFilePath' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-$([guid]::NewGuid()).json"
        try {
            Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputFilePath $file | Should -BeNullOrEmpty
            (Get-Content $file -Raw | ConvertFrom-Json).userPrincipalName | Should -Be $script:Admin
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }

    It 'takes -Body from the pipeline' {
        $r = @{ perUserMfaState = 'enforced' } | Invoke-MgGraphRequest -Method PATCH -Uri "/beta/users/$($script:Admin)/authentication/requirements"
        $r | Should -BeNullOrEmpty
        (Invoke-MgGraphRequest -Uri "/beta/users/$($script:Admin)/authentication/requirements").perUserMfaState | Should -Be 'enforced'
    }
}

Describe 'Invoke-MgGraphBatchRequest' {
    It 'answers in request order and honours dependsOn' {
        $answers = @(
            @{ Id = 'a'; Method = 'GET'; Url = "/users/$($script:Admin)" }
            @{ Id = 'b'; Method = 'GET'; Url = '/users/nobody@contoso.onmicrosoft.com' }
            @{ Id = 'c'; Method = 'GET'; Url = '/users?$top=1'; DependsOn = @('b') }
        ) | Invoke-MgGraphBatchRequest
        $answers.Id | Should -Be @('a', 'b', 'c')
        $answers.Status | Should -Be @(200, 404, 424)
        $answers[0].Body['userPrincipalName'] | Should -Be $script:Admin
    }

    It 'splits more than 20 requests into several batches' {
        $requests = 1..45 | ForEach-Object { @{ Method = 'GET'; Url = "/v1.0/users/$($script:Admin)" } }
        $answers = Invoke-MgGraphBatchRequest -Requests $requests
        $answers.Count | Should -Be 45
        ($answers.Status | Select-Object -Unique) | Should -Be 200
        $answers[44].Id | Should -Be '45'
    }

    It 'refuses a dependency chain longer than a batch' {
        $chain = 1..21 | ForEach-Object { $d = if ($_ -gt 1) { @([string]($_ - 1)) } else { @() }; @{ Id = [string]$_; Method = 'GET'; Url = '/me'; DependsOn = $d } }
        { Invoke-MgGraphBatchRequest -Requests $chain -ErrorAction Stop } | Should -Throw '*at most 20*'
    }

    It 'works through Invoke-MgGraphRequest on /$batch too' {
        $r = Invoke-MgGraphRequest -Method POST -Uri '/v1.0/$batch' -Body @{ requests = @(@{ id = '1'; method = 'GET'; url = "/users/$($script:Admin)" }) }
        $r['responses'][0]['status'] | Should -Be 200
    }
}
