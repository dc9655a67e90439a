Set-StrictMode -Version Latest

# Errors as the SDK gives them: non-terminating ErrorRecords per item with the service
# message, status, code, date and headers; Invoke-MgGraphRequest terminating; and bad input
# refused before anything is sent.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
}

Describe 'Not connected' {
    BeforeAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

    It 'Disconnect-MgGraph when signed out is a non-terminating error' {
        $err = $null
        Disconnect-MgGraph -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'No application to sign out from'
    }

    It 'Get-MgContext returns nothing' {
        Get-MgContext | Should -BeNullOrEmpty
    }

    It 'Graph cmdlets say to call Connect-MgGraph' {
        $err = $null
        Get-MgUser -UserId x -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Be 'Authentication needed. Please call Connect-MgGraph.'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    It 'Invoke-MgGraphRequest says so too, and terminates' {
        { Invoke-MgGraphRequest -Uri /v1.0/me -ErrorAction SilentlyContinue } | Should -Throw 'Authentication needed. Please call Connect-MgGraph.'
    }
}

Describe 'Service errors' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -SandboxOptions @{} -NoWelcome }

    It 'is a non-terminating ErrorRecord in the SDK layout' {
        $err = $null
        $out = Get-MgUser -UserId 'nobody@contoso.onmicrosoft.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $e = $err[0]
        $lines = $e.Exception.Message -split "`n"
        $lines[0] | Should -Be "Resource 'nobody@contoso.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present."
        $lines[1] | Should -Be ''
        $lines[2] | Should -Be 'Status: 404 (NotFound)'
        $lines[3] | Should -Be 'ErrorCode: Request_ResourceNotFound'
        $lines[4] | Should -Match '^Date: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$'
        $lines[6] | Should -Be 'Headers:'
        $e.Exception.Message | Should -Match '(?m)^request-id\s+: [0-9a-f-]{36}$'
        $e.FullyQualifiedErrorId | Should -BeLike 'Request_ResourceNotFound,Microsoft.Graph.PowerShell.Cmdlets.GetMgUser_Get*'
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.CategoryInfo.Activity | Should -Be 'Get-MgUser_Get'
        $e.TargetObject.UserId | Should -Be 'nobody@contoso.onmicrosoft.com'
        # Scripts read the SDK's ErrorDetails as often as the exception.
        $e.ErrorDetails.Message | Should -Be $e.Exception.Message
        "$e" | Should -Be $e.Exception.Message
    }

    It 'writes one error per pipeline item and keeps going' {
        $err = $null
        $users = 'admin@contoso.onmicrosoft.com', 'ghost1@contoso.onmicrosoft.com', 'adelev@contoso.onmicrosoft.com', 'ghost2@contoso.onmicrosoft.com' |
            ForEach-Object { [pscustomobject]@{ UserId = $_ } } | Get-MgUser -ErrorVariable err -ErrorAction SilentlyContinue
        @($users).Count | Should -Be 2
        $err.Count | Should -Be 2
        $err[1].TargetObject.UserId | Should -Be 'ghost2@contoso.onmicrosoft.com'
    }

    It '-ErrorAction Stop stops at the first failure' {
        $seen = [System.Collections.Generic.List[object]]::new()
        { 'admin@contoso.onmicrosoft.com', 'ghost@contoso.onmicrosoft.com', 'adelev@contoso.onmicrosoft.com' |
                ForEach-Object { [pscustomobject]@{ UserId = $_ } } | Get-MgUser -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } |
            Should -Throw '*does not exist*'
        $seen.Count | Should -Be 1
    }

    It 'a missing permission is a 403 Authorization_RequestDenied' {
        Revoke-SandboxConsent
        Connect-MgGraph -Environment Sandbox -Scopes 'User.Read' -NoWelcome
        try {
            $err = $null
            Get-MgUser -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.Message | Should -Match 'Status: 403 \(Forbidden\)'
            $err[0].Exception.Message | Should -Match 'ErrorCode: Authorization_RequestDenied'
            (Get-MgUser -UserId admin@contoso.onmicrosoft.com).UserPrincipalName | Should -Be 'admin@contoso.onmicrosoft.com'
        }
        finally { Connect-MgGraph -Environment Sandbox -NoWelcome }
    }

    It 'Invoke-MgGraphRequest errors terminate with an HTTP dump in ErrorDetails' {
        $caught = $null
        try { Invoke-MgGraphRequest -Uri '/v1.0/users/nobody@contoso.onmicrosoft.com' }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'InvokeGraphHttpResponseException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $caught.Exception.Message | Should -BeExactly 'Response status code does not indicate success: NotFound (Not Found).'
        $lines = $caught.ErrorDetails.Message -split "`n"
        $lines[0] | Should -Match '^GET http://127\.0\.0\.1:\d+/v1\.0/users/nobody@contoso\.onmicrosoft\.com$'
        $lines[1] | Should -Be 'HTTP/1.1 404 Not Found'
        $caught.ErrorDetails.Message | Should -Match '"code":"Request_ResourceNotFound"'
    }

    It '-SkipHttpErrorCheck returns the error body and sets -StatusCodeVariable' {
        $r = Invoke-MgGraphRequest -Uri '/v1.0/users/nobody@contoso.onmicrosoft.com' -SkipHttpErrorCheck -StatusCodeVariable code
        $code | Should -Be 404
        $r['error']['code'] | Should -Be 'Request_ResourceNotFound'
    }
}

Describe 'A failed response with no Graph error in it' {
    It "raises the SDK's RestException, which a script's catch clause can name" {
        # A gateway that answers every request with an HTML 400 page, as a proxy might.
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $server = [powershell]::Create()
        $null = $server.AddScript({
                param($listener)
                $page = '<html><body>Bad request</body></html>'
                while ($true) {
                    $client = $listener.AcceptTcpClient()
                    $stream = $client.GetStream()
                    $reader = [IO.StreamReader]::new($stream)
                    while ($reader.ReadLine()) { }
                    $head = "HTTP/1.1 400 Bad Request`r`nContent-Type: text/html`r`nContent-Length: $($page.Length)`r`nrequest-id: 0b5c3a9e-0000-4000-8000-000000000001`r`nConnection: close`r`n`r`n"
                    $bytes = [Text.Encoding]::ASCII.GetBytes($head + $page)
                    $stream.Write($bytes, 0, $bytes.Length)
                    $client.Dispose()
                }
            }).AddArgument($listener)
        $running = $server.BeginInvoke()
        try {
            $base = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
            Add-MgEnvironment -Name HtmlGateway -AzureADEndpoint $base -GraphEndpoint $base | Out-Null
            Connect-MgGraph -Environment HtmlGateway -AccessToken (ConvertTo-SecureString 'token' -AsPlainText -Force) -NoWelcome
            $caught = $null
            try { Get-MgUser -UserId someone -ErrorAction Stop }
            catch [Microsoft.Graph.PowerShell.Runtime.RestException] { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty -Because 'the catch clause names the type and matches'
            $caught.Exception.StatusCode | Should -Be ([Net.HttpStatusCode]::BadRequest)
            $caught.Exception.Code | Should -Be 'UnknownError'
            $caught.Exception.RequestId | Should -Be '0b5c3a9e-0000-4000-8000-000000000001'
            $caught.Exception.Message | Should -Match 'Status: 400 \(BadRequest\)'
            $caught.FullyQualifiedErrorId | Should -BeLike 'UnknownError,Microsoft.Graph.PowerShell.Cmdlets.GetMgUser_Get*'

            # The beta modules' name of the type resolves too, and catches the same error.
            $beta = $null
            try { Get-MgUser -UserId someone -ErrorAction Stop }
            catch [Microsoft.Graph.Beta.PowerShell.Runtime.RestException] { $beta = 'beta' }
            catch [Microsoft.Graph.PowerShell.Runtime.RestException] { $beta = 'v1.0' }
            $beta | Should -Be 'v1.0'
        }
        finally {
            $listener.Stop()
            $server.Dispose()
            Remove-MgEnvironment -Name HtmlGateway -ErrorAction SilentlyContinue
            Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null
        }
    }

    It 'leaves a Graph error a plain Exception, as the SDK does' {
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{} -NoWelcome
        $err = $null
        Get-MgUser -UserId 'nobody@contoso.onmicrosoft.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.GetType().FullName | Should -Be 'System.Exception'
        $err[0].Exception -is [Microsoft.Graph.PowerShell.Runtime.RestException] | Should -BeFalse
    }
}

Describe 'Bad input is refused before anything is sent' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -NoWelcome }

    It 'names -BodyParameter and where the JSON broke' {
        # -BodyParameter binds to the model's interface, as in the SDK: JSON text that does not
        # parse fails the binding, naming the parameter and the position, before any request.
        $caught = $null
        try { New-MgUserAuthenticationTemporaryAccessPassMethod -UserId admin@contoso.onmicrosoft.com -BodyParameter '{"isUsableOnce": true "lifetimeInMinutes": 60}' -ErrorAction Stop }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        $caught.Exception.Message | Should -Match "BodyParameter"
        $caught.Exception.Message | Should -Match 'line 1, position 22'
        $caught.Exception.Message | Should -Match 'Nothing was sent'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses an out-of-range -PageSize with the SDK message, terminating' {
        $caught = $null
        try { Get-MgUser -PageSize 1000 -ErrorAction SilentlyContinue } catch { $caught = $_ }
        $caught.Exception.Message | Should -BeExactly 'Invalid page size specified `1000`. PageSize must be between 1 and 999 inclusive.'
    }

    It 'refuses a relative URI without the version' {
        { Invoke-MgGraphRequest -Uri 'users' } | Should -Throw '*must start with the API version*'
    }

    It 'refuses a POST without a body' {
        { Invoke-MgGraphRequest -Method POST -Uri '/v1.0/users' } | Should -Throw '*needs a body*'
    }

    It 'reports a service-side refusal with the service message' {
        $err = $null
        New-MgUserAuthenticationTemporaryAccessPassMethod -UserId adelev@contoso.onmicrosoft.com -LifetimeInMinutes 5 -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match 'Status: 400 \(BadRequest\)'
        $err[0].Exception.Message | Should -Match 'ErrorCode: badRequest'
    }

    It 'refuses a TAP an administrator would issue to themselves' {
        $err = $null
        New-MgUserAuthenticationTemporaryAccessPassMethod -UserId admin@contoso.onmicrosoft.com -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'Status: 403 \(Forbidden\)'
    }
}
