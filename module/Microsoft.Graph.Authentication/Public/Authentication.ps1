# Sign-in, context, environments and request settings: the SDK's Authentication module.

Set-StrictMode -Version 3.0

function Get-MgIdentityEnvironment {
    # The process environment the engine needs (-Identity, -EnvironmentVariable, the token
    # cache and browser settings): .NET keeps $env: changes to itself on Unix, so the engine
    # cannot read them directly. With $Issued, the secret ones (a client secret, a managed
    # identity's header) are included as references to secrets handed to the engine
    # (Add-MgNativeSecret), never as text; without it they are left out.
    param([System.Collections.Generic.List[uint64]] $Issued)
    $names = 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH', 'IDENTITY_ENDPOINT',
    'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'MGGRAPH_IMDS_ENDPOINT',
    'MGGRAPH_ARC_TOKEN_DIR', 'MGGRAPH_BROWSER', 'MGGRAPH_CACHE_DIR'
    $vars = @{}
    foreach ($n in $names) {
        $v = [System.Environment]::GetEnvironmentVariable($n)
        if ($v) { $vars[$n] = $v }
    }
    if ($null -ne $Issued) {
        foreach ($n in 'AZURE_CLIENT_SECRET', 'IDENTITY_HEADER', 'MSI_SECRET') {
            if (-not [string]::IsNullOrEmpty([System.Environment]::GetEnvironmentVariable($n))) {
                $vars[$n] = Add-MgNativeSecret ([System.Environment]::GetEnvironmentVariable($n)) $Issued
            }
        }
    }
    $vars
}

function Find-MgCertificate {
    # A certificate with its private key from CurrentUser\My, then LocalMachine\My: by
    # thumbprint, or by subject (the newest valid one, as the SDK picks).
    [CmdletBinding()]
    [OutputType([System.Security.Cryptography.X509Certificates.X509Certificate2])]
    param([string] $Thumbprint, [string] $SubjectName)
    $now = [datetime]::Now
    foreach ($location in 'CurrentUser', 'LocalMachine') {
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', $location)
        try {
            try { $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]'ReadOnly, OpenExistingOnly') }
            catch { continue }
            $found = @($store.Certificates | Where-Object {
                    $_.HasPrivateKey -and $_.NotAfter -gt $now -and
                    ((-not $Thumbprint) -or $_.Thumbprint -eq $Thumbprint) -and
                    ((-not $SubjectName) -or $_.Subject -eq $SubjectName -or $_.Subject -eq "CN=$SubjectName")
                } | Sort-Object NotBefore -Descending)
            if ($found.Count -gt 0) { return $found[0] }
        }
        finally { $store.Dispose() }
    }
    $what = if ($Thumbprint) { "thumbprint $Thumbprint" } else { "subject '$SubjectName'" }
    throw [System.Management.Automation.ItemNotFoundException]::new(
        "No valid certificate with a private key and $what was found in CurrentUser\My or LocalMachine\My.")
}

function Get-MgCertificateParams {
    # What the engine needs to sign client assertions: the certificate, and its key handed to
    # the engine as a secret (Add-MgNativeSecret; its id joins $Issued). The key's bytes and
    # their base64 are held in the slots of an array and wiped at once: a variable holding them
    # would print them under Set-PSDebug -Trace 2.
    param([Parameter(Mandatory)] [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate, [bool] $SendChain,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.List[uint64]] $Issued)
    $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    if (-not $rsa) { throw [System.ArgumentException]::new("The certificate '$($Certificate.Subject)' has no RSA private key.") }
    $key = [object[]]::new(2)
    try {
        try { $key[0] = $rsa.ExportPkcs8PrivateKey() }
        catch { throw [System.ArgumentException]::new("The private key of certificate '$($Certificate.Subject)' cannot be exported: $($_.Exception.Message)") }
        $key[1] = [char[]]::new(4 * [math]::Ceiling($key[0].Length / 3))
        $null = [Convert]::ToBase64CharArray($key[0], 0, $key[0].Length, $key[1], 0)
        @{
            CertificateDer         = [Convert]::ToBase64String($Certificate.RawData)
            CertificateKey         = Add-MgNativeSecret $key[1] $Issued
            CertificateThumbprint  = $Certificate.Thumbprint
            CertificateSubjectName = $Certificate.Subject
            SendCertificateChain   = $SendChain
        }
    }
    finally {
        if ($key[0]) { [Array]::Clear($key[0]) }
        if ($key[1]) { [Array]::Clear($key[1]) }
    }
}

function Connect-MgGraph {
    <#
    .SYNOPSIS
    Signs in to Microsoft Graph (or to the built-in sandbox tenant).

    .DESCRIPTION
    Same parameter sets as the SDK's Connect-MgGraph: delegated sign-in with -Scopes (browser, or
    -UseDeviceCode), app-only with a certificate or -ClientSecretCredential, -Identity (managed
    identity), -AccessToken and -EnvironmentVariable. -Environment selects the cloud: Global,
    USGov, USGovDoD, China, one added with Add-MgEnvironment, or Sandbox, an in-process Graph
    emulator that signs you in as its administrator with no other parameter. The sandbox starts
    as a demo tenant (a few hundred people, groups, devices, apps, roles, licences, sign-in logs);
    -SandboxOptions (a hashtable, MgGraph only) configures it: Seed (the same seed, the same
    tenant), Empty = $true (a blank tenant), SeedUsers, LatencyMs, RateLimit, Fault429,
    Fault503, FaultDrop, FaultSeed, RetryAfter, TokenLifetimeSeconds, MaxPageSize.

    .PARAMETER Scopes
    Delegated permissions to request (comma-separated or an array). Default: User.Read.
    .PARAMETER ClientId
    The application (client) id.
    .PARAMETER TenantId
    The tenant id or domain.
    .PARAMETER Environment
    The cloud to sign in to (see Get-MgEnvironment).
    .PARAMETER ClientSecretCredential
    App-only sign-in: the credential's user name is the client id, its password the secret.
    .PARAMETER CertificateThumbprint
    App-only sign-in with the certificate of this thumbprint from the certificate stores.
    .PARAMETER CertificateSubjectName
    App-only sign-in with the newest valid certificate of this subject from the stores.
    .PARAMETER Certificate
    App-only sign-in with this certificate (it must carry its private key).
    .PARAMETER SendCertificateChain
    Sends the certificate chain (x5c) for subject name and issuer authentication.
    .PARAMETER Identity
    Signs in with the managed identity of the Azure resource (VM, App Service, Functions, Automation, Arc).
    .PARAMETER AccessToken
    Uses this access token as it is (it cannot be refreshed).
    .PARAMETER EnvironmentVariable
    Signs in with the AZURE_* environment variables (secret, then certificate).
    .PARAMETER UseDeviceCode
    Delegated sign-in with a device code shown in the console instead of a browser.
    .PARAMETER LoginHint
    The account to pre-fill at the sign-in prompt.
    .PARAMETER ContextScope
    Process (default for app-only) or CurrentUser (keeps a cache so new sessions sign in silently).
    .PARAMETER ClientTimeout
    HTTP timeout in seconds for later requests.
    .PARAMETER NoWelcome
    Suppresses the welcome message.
    .PARAMETER SandboxOptions
    Settings of the in-process sandbox (MgGraph only; with -Environment Sandbox).

    .EXAMPLE
    Connect-MgGraph -Environment Sandbox

    Starts the in-process sandbox tenant and signs in as its administrator.

    .EXAMPLE
    Connect-MgGraph -TenantId $tenantId -ClientSecretCredential (Get-Credential)

    Signs in as an application with a client secret.

    .EXAMPLE
    Connect-MgGraph -Scopes 'User.Read.All', 'UserAuthenticationMethod.ReadWrite.All' -UseDeviceCode

    Signs in as a user with a device code.

    .OUTPUTS
    System.String

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/connect-mggraph
    #>
    [CmdletBinding(DefaultParameterSetName = 'UserParameterSet', PositionalBinding = $false)]
    [Alias('Connect-Graph')]
    [OutputType([string])]
    param(
        [Parameter(ParameterSetName = 'UserParameterSet', Position = 1)]
        [string[]] $Scopes,

        [Parameter(ParameterSetName = 'UserParameterSet')]
        [Parameter(ParameterSetName = 'AppCertificateParameterSet', Position = 1, Mandatory)]
        [Parameter(ParameterSetName = 'IdentityParameterSet')]
        [Alias('AppId', 'ApplicationId')]
        [string] $ClientId,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet', Position = 2)]
        [Alias('CertificateSubject', 'CertificateName')]
        [string] $CertificateSubjectName,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet', Position = 3)]
        [string] $CertificateThumbprint,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate,

        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [bool] $SendCertificateChain = $false,

        [Parameter(ParameterSetName = 'AppSecretCredentialParameterSet', Mandatory)]
        [Alias('SecretCredential', 'Credential')]
        [pscredential] $ClientSecretCredential,

        [Parameter(ParameterSetName = 'AccessTokenParameterSet', Position = 1, Mandatory)]
        [securestring] $AccessToken,

        [Parameter(ParameterSetName = 'IdentityParameterSet', Mandatory)]
        [Alias('ManagedIdentity', 'ManagedServiceIdentity', 'MSI')]
        [switch] $Identity,

        [Parameter(ParameterSetName = 'EnvironmentVariableParameterSet', Mandatory)]
        [switch] $EnvironmentVariable,

        [Parameter(ParameterSetName = 'UserParameterSet', Position = 4)]
        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [Parameter(ParameterSetName = 'AppSecretCredentialParameterSet')]
        [Alias('Audience', 'Tenant')]
        [string] $TenantId,

        [Parameter(ParameterSetName = 'UserParameterSet')]
        [Parameter(ParameterSetName = 'AppCertificateParameterSet')]
        [Parameter(ParameterSetName = 'AppSecretCredentialParameterSet')]
        [Parameter(ParameterSetName = 'IdentityParameterSet')]
        [Parameter(ParameterSetName = 'EnvironmentVariableParameterSet')]
        [ValidateSet('Process', 'CurrentUser')]
        [string] $ContextScope,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [Alias('EnvironmentName', 'NationalCloud')]
        [string] $Environment,

        [Parameter(ParameterSetName = 'UserParameterSet')]
        [Alias('UseDeviceAuthentication', 'DeviceCode', 'DeviceAuth', 'Device')]
        [switch] $UseDeviceCode,

        [Parameter(ParameterSetName = 'UserParameterSet')]
        [string] $LoginHint,

        [Parameter()]
        [ValidateRange(1, 86400)]
        [double] $ClientTimeout,

        [Parameter()]
        [switch] $NoWelcome,

        [Parameter(ParameterSetName = 'UserParameterSet')]
        [hashtable] $SandboxOptions
    )
    # Secrets travel as references to what the engine was handed (Add-MgNativeSecret), never
    # as text in the request; they are freed when the sign-in is over.
    $secrets = [System.Collections.Generic.List[uint64]]::new()
    try {
        $params = @{
            PSHostVersion      = $PSVersionTable.PSVersion.ToString()
            ParameterSet       = $PSCmdlet.ParameterSetName
            ProcessEnvironment = Get-MgIdentityEnvironment $secrets
        }
        foreach ($name in 'ClientId', 'TenantId', 'Environment', 'ContextScope', 'LoginHint', 'CertificateThumbprint', 'CertificateSubjectName') {
            if ($PSBoundParameters.ContainsKey($name)) { $params[$name] = [string]$PSBoundParameters[$name] }
        }
        if ($PSBoundParameters.ContainsKey('Scopes')) { $params.Scopes = @($Scopes) }
        if ($PSBoundParameters.ContainsKey('ClientTimeout')) { $params.ClientTimeout = [int][math]::Ceiling($ClientTimeout) }
        if ($NoWelcome) { $params.NoWelcome = $true }
        if ($UseDeviceCode) { $params.UseDeviceCode = $true }
        if ($SandboxOptions) {
            try { $params.SandboxOptions = ConvertTo-MgWireValue $SandboxOptions }
            catch { $PSCmdlet.ThrowTerminatingError((New-MgValueErrorRecord $_ 'SandboxOptions')) }
        }
        switch ($PSCmdlet.ParameterSetName) {
            'AppSecretCredentialParameterSet' {
                $params.ClientId = $ClientSecretCredential.UserName
                $params.ClientSecret = Add-MgNativeSecret $ClientSecretCredential.Password $secrets
            }
            'AccessTokenParameterSet' { $params.AccessToken = Add-MgNativeSecret $AccessToken $secrets }
            'IdentityParameterSet' { $params.Identity = $true }
            'EnvironmentVariableParameterSet' {
                $params.EnvironmentVariable = $true
                $vars = $params.ProcessEnvironment
                if (-not $vars.ContainsKey('AZURE_CLIENT_SECRET') -and $vars['AZURE_CLIENT_CERTIFICATE_PATH']) {
                    try {
                        $path = $vars['AZURE_CLIENT_CERTIFICATE_PATH']
                        $cert = if ($path -match '\.pem$') {
                            [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($path)
                        }
                        else {
                            # The password goes straight from the environment to .NET: no variable holds it.
                            [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($path, [System.Environment]::GetEnvironmentVariable('AZURE_CLIENT_CERTIFICATE_PASSWORD'),
                                [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable)
                        }
                        $certParams = Get-MgCertificateParams -Certificate $cert -SendChain $false -Issued $secrets
                        foreach ($k in $certParams.Keys) { $params[$k] = $certParams[$k] }
                    }
                    catch {
                        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                                [System.ArgumentException]::new("AZURE_CLIENT_CERTIFICATE_PATH '$($vars['AZURE_CLIENT_CERTIFICATE_PATH'])' could not be loaded: $($_.Exception.Message)"),
                                'CertificateUnavailable', 'InvalidArgument', $null))
                    }
                }
            }
            'AppCertificateParameterSet' {
                if ($CertificateThumbprint -and $CertificateThumbprint.Length -ne 40) {
                    $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                            [System.ArgumentException]::new("CertificateThumbprint must be 40 hexadecimal characters (a SHA-1 thumbprint); got $($CertificateThumbprint.Length)."),
                            'InvalidCertificateThumbprint', 'InvalidArgument', $CertificateThumbprint))
                }
                if (-not $TenantId) {
                    $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                            [System.ArgumentException]::new('-TenantId is required for certificate sign-in.'), 'TenantIdRequired', 'InvalidArgument', $null))
                }
                try {
                    $cert = if ($Certificate) { $Certificate } elseif ($CertificateThumbprint -or $CertificateSubjectName) {
                        Find-MgCertificate -Thumbprint $CertificateThumbprint -SubjectName $CertificateSubjectName
                    }
                    else { throw [System.ArgumentException]::new('Pass -CertificateThumbprint, -CertificateSubjectName or -Certificate.') }
                    $certParams = Get-MgCertificateParams -Certificate $cert -SendChain $SendCertificateChain -Issued $secrets
                    foreach ($k in $certParams.Keys) { $params[$k] = $certParams[$k] }
                }
                catch {
                    $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($_.Exception, 'CertificateUnavailable', 'InvalidArgument', $null))
                }
            }
        }
        Invoke-MgBuiltin -Name 'Connect-MgGraph' -Params $params -Cmdlet $PSCmdlet
    }
    finally { Remove-MgNativeSecret $secrets }
}

function Disconnect-MgGraph {
    <#
    .SYNOPSIS
    Signs out: forgets the tokens in memory and the persisted cache.

    .EXAMPLE
    Disconnect-MgGraph

    Returns the context that was signed in.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Authentication.AuthContext

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/disconnect-mggraph
    #>
    [CmdletBinding()]
    [Alias('Disconnect-Graph')]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.AuthContext')]
    param()
    Invoke-MgBuiltin -Name 'Disconnect-MgGraph' -Params @{ ProcessEnvironment = Get-MgIdentityEnvironment } -Cmdlet $PSCmdlet -Model 'authContext'
}

function Get-MgContext {
    <#
    .SYNOPSIS
    Gets the current sign-in context, or nothing when not connected.

    .EXAMPLE
    if (-not (Get-MgContext)) { Connect-MgGraph -Environment Sandbox }

    Connects only when needed.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Authentication.AuthContext

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgcontext
    #>
    [CmdletBinding()]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.AuthContext')]
    param()
    Invoke-MgBuiltin -Name 'Get-MgContext' -Params @{} -Cmdlet $PSCmdlet -Model 'authContext'
}

function Get-MgEnvironment {
    <#
    .SYNOPSIS
    Lists the clouds Connect-MgGraph can sign in to.

    .PARAMETER Name
    Returns only this environment.

    .EXAMPLE
    Get-MgEnvironment

    Lists Global, China, USGov, USGovDoD, Sandbox and user-defined environments.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Authentication.GraphEnvironment

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgenvironment
    #>
    [CmdletBinding()]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.GraphEnvironment')]
    param([Parameter(Position = 1)] [string] $Name)
    $params = @{}
    if ($Name) { $params.Name = $Name }
    Invoke-MgBuiltin -Name 'Get-MgEnvironment' -Params $params -Cmdlet $PSCmdlet -Model 'graphEnvironment'
}

function Add-MgEnvironment {
    <#
    .SYNOPSIS
    Adds a cloud with custom endpoints (for example a sandbox server on loopback).

    .PARAMETER Name
    The environment's name, for Connect-MgGraph -Environment.
    .PARAMETER AzureADEndpoint
    The identity platform's base URL (https; http only on loopback).
    .PARAMETER GraphEndpoint
    Microsoft Graph's base URL (https; http only on loopback).

    .EXAMPLE
    Add-MgEnvironment -Name LocalSandbox -AzureADEndpoint http://127.0.0.1:5000 -GraphEndpoint http://127.0.0.1:5000

    Makes a running mggraph-sandbox server available to Connect-MgGraph.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Authentication.GraphEnvironment

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/add-mgenvironment
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.GraphEnvironment')]
    param(
        [Parameter(Mandatory, Position = 1)] [string] $Name,
        [Parameter(Mandatory)] [Alias('AzureADEndpointResourceId')] [string] $AzureADEndpoint,
        [Parameter(Mandatory)] [string] $GraphEndpoint
    )
    if (-not (Test-MgShouldProcess $PSCmdlet $Name 'Add environment')) { return }
    Invoke-MgBuiltin -Name 'Add-MgEnvironment' -Cmdlet $PSCmdlet -Model 'graphEnvironment' -Params @{
        Name = $Name; AzureADEndpoint = $AzureADEndpoint; GraphEndpoint = $GraphEndpoint
    }
}

function Get-MgRequestContext {
    <#
    .SYNOPSIS
    Gets the retry, timeout and concurrency settings used by every request.

    .EXAMPLE
    Get-MgRequestContext

    Shows MaxRetry, RetryDelay, RetriesTimeLimit, ClientTimeout and ThrottleLimit.

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgrequestcontext
    #>
    [CmdletBinding()]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.GraphRequestContext')]
    param()
    Invoke-MgBuiltin -Name 'Get-MgRequestContext' -Params @{} -Cmdlet $PSCmdlet -Model 'requestContext'
}

function Set-MgRequestContext {
    <#
    .SYNOPSIS
    Sets the retry, timeout and concurrency settings (process-wide).

    .PARAMETER MaxRetry
    Retries of a throttled (429) or unavailable (503, 504) request: 0-10, default 3.
    .PARAMETER RetryDelay
    Base backoff in seconds when the service sends no Retry-After: 0-180, default 3.
    .PARAMETER RetriesTimeLimit
    Cap in seconds on the total wait between retries; 0 (default) means none.
    .PARAMETER ClientTimeout
    Timeout of one HTTP request in seconds, default 300.
    .PARAMETER ThrottleLimit
    Pipeline inputs sent at once by the Graph cmdlets (MgGraph bulk mode): 1-64, default 1.

    .EXAMPLE
    Set-MgRequestContext -MaxRetry 10 -RetryDelay 5

    Retries throttled requests longer.

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/set-mgrequestcontext
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.GraphRequestContext')]
    param(
        [ValidateRange(0, 10)] [int] $MaxRetry,
        [ValidateRange(0, 180)] [int] $RetryDelay,
        [ValidateRange(0, 86400)] [int] $RetriesTimeLimit,
        [ValidateRange(1, 86400)] [int] $ClientTimeout,
        [ValidateRange(1, 64)] [int] $ThrottleLimit
    )
    if (-not (Test-MgShouldProcess $PSCmdlet 'MgGraph request context' 'Update')) { return }
    $params = @{}
    foreach ($name in 'MaxRetry', 'RetryDelay', 'RetriesTimeLimit', 'ClientTimeout', 'ThrottleLimit') {
        if ($PSBoundParameters.ContainsKey($name)) { $params[$name] = $PSBoundParameters[$name] }
    }
    $result = [System.Collections.Generic.List[object]]::new()
    Invoke-MgBuiltin -Name 'Set-MgRequestContext' -Params $params -Cmdlet $PSCmdlet -Model 'requestContext' -Capture $result
    foreach ($r in $result) {
        [System.AppDomain]::CurrentDomain.SetData('MgGraph.ThrottleLimit', [int]$r.ThrottleLimit)
        $r
    }
}
