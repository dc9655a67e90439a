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

Export-ModuleMember -Function Connect-BenchServer, Get-BenchStats, Get-Median, Start-SandboxServer, Stop-SandboxServer, Get-PwshCommand, Get-RepoPath
