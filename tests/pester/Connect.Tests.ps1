Set-StrictMode -Version Latest

# Every Connect-MgGraph mode, end to end against a sandbox server (as a real tenant would be:
# another process, reached over HTTP through Add-MgEnvironment).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    $script:Server = Start-SandboxServer -Arguments @('--device-code-interval-seconds', '1')
    $script:S = $script:Server
    Add-MgEnvironment -Name Local -AzureADEndpoint $S.baseUrl -GraphEndpoint $S.baseUrl | Out-Null
    $script:SecretCred = New-SecretCredential $S.clientId $S.clientSecret
    $script:SavedEnv = @{}
    foreach ($n in 'MGGRAPH_BROWSER', 'MGGRAPH_CACHE_DIR', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IMDS_ENDPOINT', 'MGGRAPH_IMDS_ENDPOINT',
        'MGGRAPH_ARC_TOKEN_DIR', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'MSI_ENDPOINT', 'DISPLAY', 'WAYLAND_DISPLAY') {
        $script:SavedEnv[$n] = [Environment]::GetEnvironmentVariable($n)
        [Environment]::SetEnvironmentVariable($n, $null)
    }
    $script:CacheDir = Join-Path ([IO.Path]::GetTempPath()) "mggraph-cache-$([guid]::NewGuid())"
    $env:MGGRAPH_CACHE_DIR = $script:CacheDir

    function script:Invoke-InRunspace([scriptblock] $Script, [hashtable] $Arguments) {
        # Runs $Script in another runspace of this process (the session is process-wide).
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')'").AddStatement()
        $null = $ps.AddScript($Script.ToString())
        foreach ($k in $Arguments.Keys) { $null = $ps.AddParameter($k, $Arguments[$k]) }
        $handle = $ps.BeginInvoke()
        [pscustomobject]@{ PowerShell = $ps; Handle = $handle }
    }

    function script:Wait-DeviceCode($Job) {
        # The user code from the SDK-style message the command writes to the host.
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while ([datetime]::UtcNow -lt $deadline) {
            foreach ($i in @($Job.PowerShell.Streams.Information)) {
                if ("$($i.MessageData)" -match 'open the page (\S+) and enter the code (\S+) to authenticate') { return $Matches[2] }
            }
            Start-Sleep -Milliseconds 100
        }
        throw "no device code message; errors: $($Job.PowerShell.Streams.Error)"
    }

    function script:Approve-DeviceCode([string] $Code, [string] $Login = '') {
        Invoke-RestMethod -Method Post -Uri "$($S.baseUrl)/devicelogin" -Body @{ user_code = $Code; login = $Login } | Out-Null
    }
}

AfterAll {
    Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null
    foreach ($k in $script:SavedEnv.Keys) { [Environment]::SetEnvironmentVariable($k, $script:SavedEnv[$k]) }
    Remove-Item $script:CacheDir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-SandboxServer $script:Server
}

Describe 'Environments and options, as the SDK keeps them' {
    It 'adds, changes and removes a user-defined environment; built-in clouds stay' {
        $added = Add-MgEnvironment Canary 'https://login.microsoftonline.com' 'https://canary.graph.microsoft.com'
        $added.GraphEndpoint | Should -Be 'https://canary.graph.microsoft.com'
        $set = Set-MgEnvironment -Name Canary -GraphEndpoint 'https://graph.microsoft.com'
        $set.GraphEndpoint | Should -Be 'https://graph.microsoft.com'
        $set.AzureADEndpoint | Should -Be 'https://login.microsoftonline.com'
        (Get-MgEnvironment -Name Canary).GraphEndpoint | Should -Be 'https://graph.microsoft.com'
        Remove-MgEnvironment Canary -WhatIf
        (Get-MgEnvironment -Name Canary) | Should -Not -BeNullOrEmpty
        $removed = Remove-MgEnvironment Canary
        $removed.Name | Should -Be 'Canary'
        Get-MgEnvironment -Name Canary | Should -BeNullOrEmpty
        { Remove-MgEnvironment -Name Global -ErrorAction Stop } | Should -Throw "*'Global' is a built-in environment and cannot be removed*"
        { Set-MgEnvironment -Name USGov -GraphEndpoint 'https://example.com' -ErrorAction Stop } | Should -Throw '*built-in*cannot be changed*'
        { Remove-MgEnvironment -Name NoSuchCloud -ErrorAction Stop } | Should -Throw "*no environment named 'NoSuchCloud'*"
        { Set-MgEnvironment -Name Local -GraphEndpoint 'http://example.com' -ErrorAction Stop } | Should -Throw '*GraphEndpoint*'
        (Get-MgEnvironment -Name Local).GraphEndpoint | Should -Be $S.baseUrl
    }

    It 'keeps Set-MgGraphOption across sessions, in options.json beside the token cache' {
        (Get-MgGraphOption).EnableWAMForMSGraph | Should -BeFalse
        Set-MgGraphOption -EnableLoginByWAM $true
        (Get-MgGraphOption).EnableWAMForMSGraph | Should -BeTrue
        Test-Path (Join-Path $script:CacheDir 'options.json') | Should -BeTrue
        $other = pwsh -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')'; (Get-MgGraphOption).EnableWAMForMSGraph"
        $other | Should -Be 'True'
        Set-MgGraphOption -DisableLoginByWAM $true
        (Get-MgGraphOption).EnableWAMForMSGraph | Should -BeFalse
        { Set-MgGraphOption -EnableLoginByWAM $true -DisableLoginByWAM $true -ErrorAction Stop } | Should -Throw '*contradict*'
    }
}

Describe 'App-only with a client secret' {
    It 'signs in and works' {
        $welcome = Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred
        $welcome | Should -Match 'Connected via apponly access using'
        $ctx = Get-MgContext
        $ctx.AuthType | Should -Be 'AppOnly'
        $ctx.TokenCredentialType | Should -Be 'ClientSecret'
        $ctx.ClientId | Should -Be $S.clientId
        $ctx.ContextScope | Should -Be 'Process'
        (Get-MgUser -UserId $S.admin).UserPrincipalName | Should -Be $S.admin
    }

    It 'names a wrong secret (AADSTS7000215)' {
        { Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential (New-SecretCredential $S.clientId 'nope') -ErrorAction Stop } |
            Should -Throw '*AADSTS7000215*Invalid client secret provided*'
    }

    It 'names an unknown tenant (AADSTS90002)' {
        { Connect-MgGraph -Environment Local -TenantId 'nowhere.example' -ClientSecretCredential $SecretCred -ErrorAction Stop } |
            Should -Throw '*AADSTS90002*'
    }

    It 'names an unknown application (AADSTS700016)' {
        { Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential (New-SecretCredential ([guid]::NewGuid()) 'x') -ErrorAction Stop } |
            Should -Throw '*AADSTS700016*'
    }

    It 'goes to each cloud''s own identity platform' {
        foreach ($pair in @(@('USGov', 'login.microsoftonline.us'), @('USGovDoD', 'login.microsoftonline.us'), @('China', 'login.chinacloudapi.cn'), @('Global', 'login.microsoftonline.com'))) {
            { Connect-MgGraph -Environment $pair[0] -TenantId contoso.example -ClientSecretCredential $SecretCred -ErrorAction Stop } |
                Should -Throw "*$($pair[1])*"
        }
    }
}

Describe "The SDK's session object" {
    It 'reads the sign-in, the request context, the options and the profile, as the SDK names them' {
        Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null
        $session = [Microsoft.Graph.PowerShell.Authentication.GraphSession]::Instance
        $session | Should -Not -BeNullOrEmpty
        [Microsoft.Graph.PowerShell.Authentication.GraphSession]::Exists | Should -BeTrue
        # The connection check admin scripts use before Connect-MgGraph.
        $session.AuthContext | Should -BeNullOrEmpty
        & { Set-StrictMode -Off; -not [Microsoft.Graph.PowerShell.Authentication.GraphSession]::Instance.AuthContext.Scopes } | Should -BeTrue

        Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred -NoWelcome
        $ctx = [Microsoft.Graph.PowerShell.Authentication.GraphSession]::Instance.AuthContext
        $ctx | Should -BeOfType ([Microsoft.Graph.PowerShell.Authentication.AuthContext])
        $ctx.ClientId | Should -Be $S.clientId
        $ctx.TenantId | Should -Be (Get-MgContext).TenantId
        # The SDK's enums, not text: -is and switch over them hold.
        $ctx.AuthType | Should -BeOfType ([Microsoft.Graph.PowerShell.Authentication.AuthenticationType])
        $ctx.AuthType | Should -Be ([Microsoft.Graph.PowerShell.Authentication.AuthenticationType]::AppOnly)
        $ctx.TokenCredentialType | Should -Be ([Microsoft.Graph.PowerShell.Authentication.TokenCredentialType]::ClientSecret)
        $ctx.ContextScope | Should -BeOfType ([Microsoft.Graph.PowerShell.Authentication.ContextScope])
        "$($ctx.AuthType)" | Should -Be 'AppOnly'
        (Get-MgContext | Format-List AuthType | Out-String) | Should -Match 'AuthType\s*:\s*AppOnly'


        $before = (Get-MgRequestContext).MaxRetry
        Set-MgRequestContext -MaxRetry 7 | Out-Null
        try { $session.RequestContext.MaxRetry | Should -Be 7 }
        finally { Set-MgRequestContext -MaxRetry $before | Out-Null }
        $session.GraphOption.EnableWAMForMSGraph | Should -Be (Get-MgGraphOption).EnableWAMForMSGraph
        $session.SelectedProfile | Should -Be 'v1.0'

        Disconnect-MgGraph | Out-Null
        $session.AuthContext | Should -BeNullOrEmpty -Because 'it reads the engine at each access'
    }
}

Describe 'Delegated, interactive' {
    BeforeAll { $env:MGGRAPH_BROWSER = Get-BrowserCommand }
    AfterAll { $env:MGGRAPH_BROWSER = $null }

    It 'signs in through the browser with PKCE and a loopback redirect' {
        Connect-MgGraph -Environment Local -TenantId $S.tenantId -Scopes 'User.Read.All', 'Group.Read.All' -ContextScope Process -NoWelcome
        $ctx = Get-MgContext
        $ctx.AuthType | Should -Be 'Delegated'
        $ctx.TokenCredentialType | Should -Be 'InteractiveBrowser'
        $ctx.Account | Should -Be $S.admin
        $ctx.Scopes | Should -Be @('User.Read.All', 'Group.Read.All')
        $ctx.AppName | Should -Be 'Microsoft Graph Command Line Tools'
        @(Get-MgUser -Top 3).Count | Should -Be 3
    }

    It 'honours -LoginHint' {
        $env:MGGRAPH_FAKE_BROWSER_LOGIN = ''
        Connect-MgGraph -Environment Local -TenantId $S.tenantId -Scopes 'User.Read' -LoginHint "adelev@$($S.domain)" -ContextScope Process -NoWelcome
        (Get-MgContext).Account | Should -Be "adelev@$($S.domain)"
    }

    It 'falls back to a device code when no browser can be opened' {
        $job = Invoke-InRunspace ([scriptblock]::Create("`$env:MGGRAPH_BROWSER = '/nonexistent/browser'; Connect-MgGraph -Environment Local -TenantId '$($S.tenantId)' -Scopes 'User.Read' -ContextScope Process -NoWelcome")) @{}
        $code = Wait-DeviceCode $job
        Approve-DeviceCode $code
        $job.PowerShell.EndInvoke($job.Handle) | Out-Null
        @($job.PowerShell.Streams.Warning).Message | Should -Match 'device code'
        (Get-MgContext).TokenCredentialType | Should -Be 'DeviceCode'
    }
}

Describe 'Delegated, device code' {
    It 'prints the SDK message, polls, and signs in once approved' {
        # User.Read: a scope the member alexw may consent to alone (User.Read.All needs an
        # administrator's consent, and the sandbox refuses it as Graph does: AADSTS65001).
        $job = Invoke-InRunspace ([scriptblock]::Create("Connect-MgGraph -Environment Local -TenantId '$($S.tenantId)' -Scopes 'User.Read' -UseDeviceCode -ContextScope Process -NoWelcome")) @{}
        $code = Wait-DeviceCode $job
        $code | Should -Match '^[A-Z0-9]{9}$'
        @($job.PowerShell.Streams.Information)[0].MessageData | Should -Match "^To sign in, use a web browser to open the page $([regex]::Escape($S.baseUrl))/devicelogin and enter the code $code to authenticate\.$"
        Start-Sleep -Milliseconds 1500
        Approve-DeviceCode $code "alexw@$($S.domain)"
        $job.PowerShell.EndInvoke($job.Handle) | Out-Null
        $job.PowerShell.HadErrors | Should -BeFalse
        $ctx = Get-MgContext
        $ctx.TokenCredentialType | Should -Be 'DeviceCode'
        $ctx.Account | Should -Be "alexw@$($S.domain)"
    }

    It 'honours slow_down and stops promptly when the pipeline is stopped' {
        $slow = Start-SandboxServer -Arguments @('--device-code-interval-seconds', '1', '--device-code-slow-down', '50')
        try {
            Add-MgEnvironment -Name Slow -AzureADEndpoint $slow.baseUrl -GraphEndpoint $slow.baseUrl | Out-Null
            $job = Invoke-InRunspace ([scriptblock]::Create("Connect-MgGraph -Environment Slow -TenantId '$($slow.tenantId)' -UseDeviceCode -ContextScope Process -NoWelcome")) @{}
            $null = Wait-DeviceCode $job
            Start-Sleep -Seconds 2
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $job.PowerShell.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 1.5
            $job.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { Stop-SandboxServer $slow }
    }

    It 'reports a declined sign-in' {
        $job = Invoke-InRunspace ([scriptblock]::Create("Connect-MgGraph -Environment Local -TenantId '$($S.tenantId)' -UseDeviceCode -ContextScope Process -NoWelcome")) @{}
        $code = Wait-DeviceCode $job
        Invoke-RestMethod -Method Post -Uri "$($S.baseUrl)/devicelogin" -Body @{ user_code = $code; decline = '1' } | Out-Null
        $job.PowerShell.EndInvoke($job.Handle) | Out-Null
        "$($job.PowerShell.Streams.Error)" | Should -Match 'authorization_declined'
    }
}

Describe 'App-only with a certificate' {
    BeforeAll {
        function New-TestCertificate([string] $Subject) {
            $rsa = [System.Security.Cryptography.RSA]::Create(2048)
            $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Subject", $rsa,
                [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
            # Through PFX, so the key is persisted with the certificate in the store.
            [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($cert.Export('Pfx'), '',
                [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'Exportable, PersistKeySet')
        }
        $script:CertSubject = "mggraph-test-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $script:Cert = New-TestCertificate $script:CertSubject
        $script:Stranger = New-TestCertificate "$($script:CertSubject)-stranger"
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite')
        $store.Add($script:Cert)
        $store.Close()
        # Register the public certificate on the app, as an admin would in the portal.
        Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred -NoWelcome
        Invoke-MgGraphRequest -Method PATCH -Uri "/v1.0/applications(appId='$($S.clientId)')" -Body @{
            keyCredentials = @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [Convert]::ToBase64String($script:Cert.RawData); displayName = 'test' })
        }
    }
    AfterAll {
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite')
        $store.Remove($script:Cert)
        $store.Close()
    }

    It 'signs in with -CertificateThumbprint from the store' {
        Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -CertificateThumbprint $script:Cert.Thumbprint -NoWelcome
        $ctx = Get-MgContext
        $ctx.AuthType | Should -Be 'AppOnly'
        $ctx.TokenCredentialType | Should -Be 'ClientCertificate'
        $ctx.CertificateThumbprint | Should -Be $script:Cert.Thumbprint
        (Get-MgUser -UserId $S.admin).Id | Should -Not -BeNullOrEmpty
    }

    It 'signs in with -CertificateName (subject) and with -Certificate, with the chain' {
        Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -CertificateName $script:CertSubject -NoWelcome
        (Get-MgContext).CertificateSubjectName | Should -Be "CN=$($script:CertSubject)"
        Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -Certificate $script:Cert -SendCertificateChain $true -NoWelcome
        (Get-MgContext).SendCertificateChain | Should -BeTrue
    }

    It 'names a certificate the app does not know (AADSTS700027)' {
        { Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -Certificate $script:Stranger -ErrorAction Stop } |
            Should -Throw '*AADSTS700027*'
    }

    It 'refuses a thumbprint that is not 40 characters, and one that is not in the store' {
        { Connect-MgGraph -ClientId $S.clientId -TenantId $S.tenantId -CertificateThumbprint 'ABC' -ErrorAction Stop } | Should -Throw '*40 hexadecimal*'
        { Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -CertificateThumbprint ('0' * 40) -ErrorAction Stop } | Should -Throw '*No valid certificate*'
    }
}

Describe 'Managed identity' {
    AfterEach {
        foreach ($n in 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'IMDS_ENDPOINT', 'MGGRAPH_IMDS_ENDPOINT', 'MGGRAPH_ARC_TOKEN_DIR') { [Environment]::SetEnvironmentVariable($n, $null) }
    }

    It 'signs in through the App Service / Automation endpoint' {
        $env:IDENTITY_ENDPOINT = $S.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $S.managedIdentity.identityHeader
        Connect-MgGraph -Identity -Environment Local -NoWelcome
        $ctx = Get-MgContext
        $ctx.AuthType | Should -Be 'ManagedIdentity'
        $ctx.TokenCredentialType | Should -Be 'ManagedIdentity'
        $ctx.ClientId | Should -Be $S.managedIdentity.systemAssignedClientId
        (Get-MgUser -UserId $S.admin).Id | Should -Not -BeNullOrEmpty
    }

    It 'selects a user-assigned identity with -ClientId' {
        $env:IDENTITY_ENDPOINT = $S.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $S.managedIdentity.identityHeader
        Connect-MgGraph -Identity -ClientId $S.managedIdentity.userAssignedClientId -Environment Local -NoWelcome
        $ctx = Get-MgContext
        $ctx.ManagedIdentityId | Should -Be $S.managedIdentity.userAssignedClientId
        $ctx.Scopes | Should -Be @('User.Read.All')
        $err = $null
        New-MgGroup -DisplayName x -MailEnabled:$false -MailNickname x -SecurityEnabled -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'Authorization_RequestDenied'
    }

    It 'refuses a wrong IDENTITY_HEADER' {
        $env:IDENTITY_ENDPOINT = $S.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = 'wrong'
        { Connect-MgGraph -Identity -Environment Local -ErrorAction Stop } | Should -Throw '*ManagedIdentityCredential authentication failed*'
    }

    It 'signs in through the VM instance metadata service (IMDS)' {
        $env:MGGRAPH_IMDS_ENDPOINT = $S.managedIdentity.imdsEndpoint
        Connect-MgGraph -Identity -Environment Local -NoWelcome
        (Get-MgContext).Account | Should -Be 'MSI@IMDS'
    }

    It 'answers Azure Arc''s challenge with the key file' {
        $env:IDENTITY_ENDPOINT = $S.managedIdentity.arcIdentityEndpoint
        $env:IMDS_ENDPOINT = $S.managedIdentity.arcImdsEndpoint
        $env:MGGRAPH_ARC_TOKEN_DIR = $S.managedIdentity.arcKeyDirectory
        Connect-MgGraph -Identity -Environment Local -NoWelcome
        (Get-MgContext).Account | Should -Be 'MSI@AzureArc'
        # A key file outside the agent's directory is never read.
        $env:MGGRAPH_ARC_TOKEN_DIR = [IO.Path]::GetTempPath()
        { Connect-MgGraph -Identity -Environment Local -ErrorAction Stop } | Should -Throw '*was not read*'
    }

    It 'rehearses a runbook unchanged on the in-process sandbox (its own managed identity)' {
        # A runbook written for Azure Automation, as it is; the rehearsal only sets the
        # environment its Connect-MgGraph uses, in a process of its own.
        $runbook = 'Connect-MgGraph -Identity -NoWelcome; $c = Get-MgContext; ' +
            '"$($c.AuthType) $($c.Account) $(@(Get-MgUser -Top 3).Count)"'
        $rehearsal = "`$PSDefaultParameterValues['Connect-MgGraph:Environment'] = 'Sandbox'; $runbook"
        $module = Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'
        $out = pwsh -NoProfile -NonInteractive -c "Import-Module '$module'; $rehearsal" 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Be 'ManagedIdentity MSI@AppService 3'
    }

    It 'says clearly when there is no managed identity' {
        $env:MGGRAPH_IMDS_ENDPOINT = 'http://127.0.0.1:9/metadata/identity/oauth2/token'
        { Connect-MgGraph -Identity -Environment Local -ErrorAction Stop } | Should -Throw '*ManagedIdentityCredential authentication unavailable*'
    }
}

Describe 'Access token and environment variables' {
    It 'uses a token it is given, as it is' {
        $t = Invoke-RestMethod -Method Post -Uri "$($S.baseUrl)/$($S.tenantId)/oauth2/v2.0/token" -Body @{
            grant_type = 'client_credentials'; client_id = $S.clientId; client_secret = $S.clientSecret; scope = 'https://graph.microsoft.com/.default'
        }
        Connect-MgGraph -AccessToken (ConvertTo-SecureString $t.access_token -AsPlainText -Force) -Environment Local -NoWelcome
        $ctx = Get-MgContext
        $ctx.AuthType | Should -Be 'UserProvidedAccessToken'
        $ctx.TenantId | Should -Be $S.tenantId
        (Get-MgUser -UserId $S.admin).Id | Should -Not -BeNullOrEmpty
    }

    It 'says to connect again when a given token has expired' {
        # Long enough that the token is still valid at Connect-MgGraph on a loaded machine.
        $short = Start-SandboxServer -Arguments @('--token-lifetime-seconds', '4')
        try {
            $t = Invoke-RestMethod -Method Post -Uri "$($short.baseUrl)/$($short.tenantId)/oauth2/v2.0/token" -Body @{
                grant_type = 'client_credentials'; client_id = $short.clientId; client_secret = $short.clientSecret; scope = 'https://graph.microsoft.com/.default'
            }
            Add-MgEnvironment -Name Short -AzureADEndpoint $short.baseUrl -GraphEndpoint $short.baseUrl | Out-Null
            Connect-MgGraph -AccessToken (ConvertTo-SecureString $t.access_token -AsPlainText -Force) -Environment Short -NoWelcome
            Start-Sleep -Seconds 5
            $err = $null
            Get-MgUser -UserId $short.admin -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].Exception.Message | Should -Match 'expired'
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'Connect-MgGraph'
        }
        finally { Stop-SandboxServer $short }
    }

    It 'reads AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET' {
        $env:AZURE_CLIENT_ID = $S.clientId
        $env:AZURE_TENANT_ID = $S.tenantId
        $env:AZURE_CLIENT_SECRET = $S.clientSecret
        try {
            Connect-MgGraph -EnvironmentVariable -Environment Local -NoWelcome
            (Get-MgContext).AuthType | Should -Be 'EnvironmentVariable'
            (Get-MgUser -UserId $S.admin).Id | Should -Not -BeNullOrEmpty
        }
        finally { $env:AZURE_CLIENT_SECRET = $null }
        { Connect-MgGraph -EnvironmentVariable -Environment Local -ErrorAction Stop } | Should -Throw '*AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH*'
        $env:AZURE_CLIENT_ID = $null; $env:AZURE_TENANT_ID = $null
    }
}

Describe 'Token lifecycle' {
    BeforeAll {
        $script:Short = Start-SandboxServer -Arguments @('--token-lifetime-seconds', '3', '--refresh-token-lifetime-seconds', '4')
        Add-MgEnvironment -Name ShortLived -AzureADEndpoint $Short.baseUrl -GraphEndpoint $Short.baseUrl | Out-Null
    }
    AfterAll { Stop-SandboxServer $script:Short }

    It 'renews an app-only token before it expires' {
        Connect-MgGraph -Environment ShortLived -TenantId $Short.tenantId -ClientSecretCredential (New-SecretCredential $Short.clientId $Short.clientSecret) -NoWelcome
        foreach ($i in 1..4) {
            (Get-MgUser -UserId $Short.admin).Id | Should -Not -BeNullOrEmpty
            Start-Sleep -Milliseconds 1500
        }
    }

    It 'renews a delegated token with the refresh token, and says to connect again when that expires too' {
        $env:MGGRAPH_BROWSER = Get-BrowserCommand
        try { Connect-MgGraph -Environment ShortLived -TenantId $Short.tenantId -Scopes 'User.Read.All' -ContextScope Process -NoWelcome }
        finally { $env:MGGRAPH_BROWSER = $null }
        Start-Sleep -Seconds 3
        (Get-MgUser -UserId $Short.admin).Id | Should -Not -BeNullOrEmpty -Because 'the refresh token still works'
        Start-Sleep -Seconds 5
        $err = $null
        Get-MgUser -UserId $Short.admin -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'AADSTS700082'
        $err[0].Exception.Message | Should -Match 'can no longer be renewed'
        $err[0].ErrorDetails.RecommendedAction | Should -Be 'Run Connect-MgGraph again to sign in.'
    }
}

Describe 'ContextScope CurrentUser' {
    It 'keeps a private cache so a new process signs in silently, and Disconnect-MgGraph wipes it' {
        $env:MGGRAPH_BROWSER = Get-BrowserCommand
        try { Connect-MgGraph -Environment Local -TenantId $S.tenantId -Scopes 'User.Read.All' -ContextScope CurrentUser -NoWelcome }
        finally { $env:MGGRAPH_BROWSER = $null }
        (Get-MgContext).ContextScope | Should -Be 'CurrentUser'
        $file = Join-Path $script:CacheDir 'mggraph.tokencache.json'
        Test-Path $file | Should -BeTrue
        if (-not $IsWindows) { (Get-Item $file).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        $text = Get-Content $file -Raw
        $text | Should -Match 'refreshToken'
        $text | Should -Not -Match ([regex]::Escape($S.clientSecret))
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]+\.eyJ' -Because 'no access tokens are kept'

        # A new process, with a "browser" that would fail: the sign-in must be silent.
        $module = Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'
        $script = "`$env:MGGRAPH_CACHE_DIR = '$($script:CacheDir)'; `$env:MGGRAPH_BROWSER = '/nonexistent/browser'; Import-Module '$module';" +
        "Add-MgEnvironment -Name Local -AzureADEndpoint '$($S.baseUrl)' -GraphEndpoint '$($S.baseUrl)' | Out-Null;" +
        "Connect-MgGraph -Environment Local -TenantId '$($S.tenantId)' -Scopes 'User.Read.All' -NoWelcome -ErrorAction Stop;" +
        "(Get-MgContext).Account; (Get-MgUser -UserId '$($S.admin)').UserPrincipalName"
        $out = & (Get-PwshCommand).Split(' ')[0] @((Get-PwshCommand).Split(' ') | Select-Object -Skip 1) -NoProfile -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0
        $out | Should -Be @($S.admin, $S.admin)

        Disconnect-MgGraph | Out-Null
        Test-Path $file | Should -BeFalse
    }
}

Describe 'Secrets never show' {
    It 'no secret, token, assertion or key appears in any stream, trace or transcript, in any mode' {
        $transcript = Join-Path ([IO.Path]::GetTempPath()) "mggraph-transcript-$([guid]::NewGuid()).txt"
        $t = Invoke-RestMethod -Method Post -Uri "$($S.baseUrl)/$($S.tenantId)/oauth2/v2.0/token" -Body @{
            grant_type = 'client_credentials'; client_id = $S.clientId; client_secret = $S.clientSecret; scope = 'https://graph.microsoft.com/.default'
        }
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=mggraph-secret-scan', $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
        $keyText = [Convert]::ToBase64String($rsa.ExportPkcs8PrivateKey())
        Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred -NoWelcome
        Invoke-MgGraphRequest -Method PATCH -Uri "/v1.0/applications(appId='$($S.clientId)')" -Body @{
            keyCredentials = @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [Convert]::ToBase64String($cert.RawData) })
        }
        $Error.Clear()
        Start-Transcript -Path $transcript | Out-Null
        try {
            $all = & {
                Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred -Debug -Verbose
                Get-MgUser -UserId $S.admin -Debug -Verbose
                try { Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential (New-SecretCredential $S.clientId 'wrong-secret-value') -Debug -Verbose }
                catch { $_ | Out-String -Width 500 }
                $env:MGGRAPH_BROWSER = Get-BrowserCommand
                Connect-MgGraph -Environment Local -TenantId $S.tenantId -Scopes 'User.Read.All' -ContextScope Process -Debug -Verbose
                Get-MgUser -Top 2 -Debug -Verbose
                $env:MGGRAPH_BROWSER = $null
                Connect-MgGraph -Environment Local -ClientId $S.clientId -TenantId $S.tenantId -Certificate $cert -Debug -Verbose
                Get-MgContext | Format-List * | Out-String
                Connect-MgGraph -AccessToken (ConvertTo-SecureString $t.access_token -AsPlainText -Force) -Environment Local -Debug -Verbose
                Invoke-MgGraphRequest -Uri "/v1.0/users/$($S.admin)" -Debug -Verbose
                $env:IDENTITY_ENDPOINT = $S.managedIdentity.identityEndpoint; $env:IDENTITY_HEADER = $S.managedIdentity.identityHeader
                Connect-MgGraph -Identity -Environment Local -Debug -Verbose
                $env:IDENTITY_ENDPOINT = $null; $env:IDENTITY_HEADER = $null
                $env:AZURE_CLIENT_ID = $S.clientId; $env:AZURE_TENANT_ID = $S.tenantId; $env:AZURE_CLIENT_SECRET = $S.clientSecret
                Connect-MgGraph -EnvironmentVariable -Environment Local -Debug -Verbose
                $env:AZURE_CLIENT_ID = $null; $env:AZURE_TENANT_ID = $null; $env:AZURE_CLIENT_SECRET = $null
                New-MgUser -DisplayName 'Scan' -MailNickname scan -UserPrincipalName "scan@$($S.domain)" -AccountEnabled -PasswordProfile @{ Password = 'Sup3r-Secret-Passw0rd!' } -Debug -Verbose
                Get-MgContext
            } *>&1 | Out-String -Width 500
        }
        finally { Stop-Transcript | Out-Null }
        $everything = $all + (Get-Content $transcript -Raw) + ($Error | Out-String -Width 500) + ($Error | ForEach-Object { "$($_.Exception)" }) -join "`n"
        $everything | Should -Match 'HTTP REQUEST' -Because 'the traces did run'
        $found = Find-Secret -Text $everything -Secrets @($S.clientSecret, $t.access_token, $S.managedIdentity.identityHeader, 'Sup3r-Secret-Passw0rd!', $keyText.Substring(0, 60), 'wrong-secret-value')
        $found | Should -BeNullOrEmpty
        Remove-Item $transcript -ErrorAction SilentlyContinue
    }

    It 'no secret appears under Set-PSDebug -Trace 2 (every assignment printed), in any mode' {
        # A child process: the trace goes to its host, and all of it is captured here.
        $work = Join-Path ([IO.Path]::GetTempPath()) "mggraph-trace-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory -Path $work
        $t = Invoke-RestMethod -Method Post -Uri "$($S.baseUrl)/$($S.tenantId)/oauth2/v2.0/token" -Body @{
            grant_type = 'client_credentials'; client_id = $S.clientId; client_secret = $S.clientSecret; scope = 'https://graph.microsoft.com/.default'
        }
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=mggraph-trace-scan', $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
        $pkcs8 = $rsa.ExportPkcs8PrivateKey()
        $pfxPassword = "pfx-$([guid]::NewGuid().ToString('n'))"
        $pfx = Join-Path $work 'app.pfx'
        [IO.File]::WriteAllBytes($pfx, $cert.Export('Pfx', $pfxPassword))
        Connect-MgGraph -Environment Local -TenantId $S.tenantId -ClientSecretCredential $SecretCred -NoWelcome
        Invoke-MgGraphRequest -Method PATCH -Uri "/v1.0/applications(appId='$($S.clientId)')" -Body @{
            keyCredentials = @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [Convert]::ToBase64String($cert.RawData) })
        }
        $secrets = @{
            MGTEST_SECRET = $S.clientSecret; MGTEST_WRONG = "wrong-$([guid]::NewGuid().ToString('n'))"; MGTEST_TOKEN = $t.access_token
            MGTEST_HEADER = $S.managedIdentity.identityHeader; MGTEST_PFX_PASSWORD = $pfxPassword; MGTEST_AZURE_PASSWORD = "azpw-$([guid]::NewGuid().ToString('n'))"
        }
        $child = @'
$ErrorActionPreference = 'Continue'
Import-Module $env:MGTEST_MODULE
Add-MgEnvironment -Name Local -AzureADEndpoint $env:MGTEST_BASE -GraphEndpoint $env:MGTEST_BASE | Out-Null
$tenant = $env:MGTEST_TENANT; $clientId = $env:MGTEST_CLIENT; $admin = $env:MGTEST_ADMIN
$cred = [pscredential]::new($clientId, (ConvertTo-SecureString $env:MGTEST_SECRET -AsPlainText -Force))
$wrong = [pscredential]::new($clientId, (ConvertTo-SecureString $env:MGTEST_WRONG -AsPlainText -Force))
$token = ConvertTo-SecureString $env:MGTEST_TOKEN -AsPlainText -Force
$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($env:MGTEST_PFX, $env:MGTEST_PFX_PASSWORD, 'Exportable')
[Environment]::SetEnvironmentVariable('AZURE_PASSWORD', $env:MGTEST_AZURE_PASSWORD)
[Environment]::SetEnvironmentVariable('AZURE_USERNAME', $admin)
function Step([scriptblock] $Block) {
    # Traced, with errors printed (a failed sign-in's message is scanned too).
    Set-PSDebug -Trace 2
    try { & $Block } catch { $_ | Out-String -Width 500 } finally { Set-PSDebug -Off }
}
Step { Connect-MgGraph -Environment Local -TenantId $tenant -ClientSecretCredential $cred; Get-MgUser -UserId $admin | Out-String }
Step { Connect-MgGraph -Environment Local -TenantId $tenant -ClientSecretCredential $wrong -ErrorAction Stop }
Step { Connect-MgGraph -Environment Local -ClientId $clientId -TenantId $tenant -Certificate $cert -NoWelcome; Get-MgUser -UserId $admin | Out-String }
Step { Connect-MgGraph -AccessToken $token -Environment Local -NoWelcome; Invoke-MgGraphRequest -Uri "/v1.0/users/$admin" | Out-String }
# A secret in a response (addPassword's secretText) goes to a file through the pipeline only:
# the parent scans the trace for it.
Step { Connect-MgGraph -Environment Local -TenantId $tenant -ClientSecretCredential $cred -NoWelcome; $uri = "/v1.0/applications(appId='$clientId')/addPassword"; Invoke-MgGraphRequest -Method POST -Uri $uri -Body @{ passwordCredential = @{ displayName = 'trace' } } -OutputType Json | Set-Content -Path $env:MGTEST_ADDED_SECRET }
[Environment]::SetEnvironmentVariable('IDENTITY_ENDPOINT', $env:MGTEST_IDENTITY_ENDPOINT)
[Environment]::SetEnvironmentVariable('IDENTITY_HEADER', $env:MGTEST_HEADER)
Step { Connect-MgGraph -Identity -Environment Local -NoWelcome; Get-MgContext | Format-List * | Out-String }
[Environment]::SetEnvironmentVariable('IDENTITY_ENDPOINT', $null)
[Environment]::SetEnvironmentVariable('IDENTITY_HEADER', $null)
[Environment]::SetEnvironmentVariable('AZURE_CLIENT_ID', $clientId)
[Environment]::SetEnvironmentVariable('AZURE_TENANT_ID', $tenant)
[Environment]::SetEnvironmentVariable('AZURE_CLIENT_SECRET', $env:MGTEST_SECRET)
Step { Connect-MgGraph -EnvironmentVariable -Environment Local -NoWelcome; (Get-MgContext).AuthType }
[Environment]::SetEnvironmentVariable('AZURE_CLIENT_SECRET', $null)
[Environment]::SetEnvironmentVariable('AZURE_CLIENT_CERTIFICATE_PATH', $env:MGTEST_PFX)
[Environment]::SetEnvironmentVariable('AZURE_CLIENT_CERTIFICATE_PASSWORD', $env:MGTEST_PFX_PASSWORD)
Step { Connect-MgGraph -EnvironmentVariable -Environment Local -NoWelcome; "thumbprint $((Get-MgContext).CertificateThumbprint)" }
Step { Connect-MgGraph -Environment Sandbox -NoWelcome; Get-MgUser -Top 2 | Out-String }
'child done'
'@
        $script = Join-Path $work 'trace.ps1'
        Set-Content -Path $script -Value $child
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshCommand).Split(' ')[0])
        foreach ($a in @((Get-PwshCommand).Split(' ') | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $settings = $secrets + @{
            MGTEST_MODULE = (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'); MGTEST_BASE = $S.baseUrl; MGTEST_TENANT = $S.tenantId
            MGTEST_CLIENT = $S.clientId; MGTEST_ADMIN = $S.admin; MGTEST_PFX = $pfx; MGTEST_IDENTITY_ENDPOINT = $S.managedIdentity.identityEndpoint
            MGGRAPH_CACHE_DIR = $script:CacheDir; MGTEST_ADDED_SECRET = (Join-Path $work 'added.json')
        }
        foreach ($k in $settings.Keys) { $psi.Environment[$k] = $settings[$k] }
        foreach ($k in 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'MGGRAPH_BROWSER') { $null = $psi.Environment.Remove($k) }
        $process = [System.Diagnostics.Process]::Start($psi)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit(300000)) { $process.Kill($true) }
        $everything = $stdout + "`n" + $stderr.Result
        $added = (Get-Content -Raw (Join-Path $work 'added.json') -ErrorAction SilentlyContinue | ConvertFrom-Json).secretText
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue

        $everything | Should -Match 'child done' -Because 'the child ran to its end'
        $everything | Should -Match '! SET \$uri = ' -Because 'the trace printed assignments'
        # The module's commands are compiled cmdlets: no line of theirs is traced.
        $everything | Should -Not -Match '! CALL function ''Connect-MgGraph'''
        $added | Should -Not -BeNullOrEmpty -Because 'addPassword returned a secret'
        $everything | Should -Match 'AADSTS7000215' -Because 'the wrong secret was refused, and its error scanned'
        $everything | Should -Match 'ManagedIdentity'
        $everything | Should -Match '(?m)^EnvironmentVariable\s*$'
        $everything | Should -Match "thumbprint $($cert.Thumbprint)" -Because 'the certificate from AZURE_CLIENT_CERTIFICATE_PATH signed in'
        # The key as base64 and as the decimal bytes a traced byte[] prints.
        $keyBase64 = [Convert]::ToBase64String($pkcs8, 40, 45)
        $keyDecimal = ($pkcs8[40..55] | ForEach-Object { "$_" }) -join ' '
        $found = Find-Secret -Text $everything -Secrets (@($secrets.Values) + $keyBase64 + $keyDecimal + $added)
        $found | Should -BeNullOrEmpty
    }
}
