<#
.SYNOPSIS
The Temporary Access Pass onboarding walk-through (../shared/seed), run against the sandbox.

.DESCRIPTION
Creates a group, enables Temporary Access Pass for that group only, creates a user in it,
issues a one-time pass exactly as the walk-through does (a JSON body whose startDateTime is
(Get-Date).ToString()), checks and enables per-user MFA through Invoke-MgGraphRequest on
/beta, issues a reusable pass (the user's session had timed out), lets the user register a
passkey with it, lists the user's authentication methods, and ends with the least-privileged
permissions its Graph calls needed (Get-MgGraphRequiredPermission).

Every command is the one an admin would run against Microsoft Graph; only Connect-MgGraph
-Environment Sandbox and Register-MgSandboxPasskey (the user's browser steps) are sandbox
specific.

.PARAMETER UserPrincipalName
The test user to create (default testuser@<sandbox domain>).

.PARAMETER Scopes
The delegated permissions to sign in with (default: every one the sandbox's administrator
holds). Give the list the last step printed to rehearse the run with only those.

.EXAMPLE
pwsh -NoProfile -File module/examples/TapOnboarding.ps1
#>
[CmdletBinding()]
param([string] $UserPrincipalName, [string[]] $Scopes)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# The module this walk-through ships with: beside it in a checkout (module/), its parent in an
# installed package (MgGraph/<version>/examples); copied elsewhere, the installed MgGraph.
$manifest = @((Join-Path $PSScriptRoot '../MgGraph/MgGraph.psd1'), (Join-Path $PSScriptRoot '../MgGraph.psd1')) | Where-Object { Test-Path $_ } | Select-Object -First 1
if ($manifest) { Import-Module $manifest -Force } else { Import-Module MgGraph -Force }

function Step([string] $Text) { Write-Host "`n=== $Text ===" -ForegroundColor Cyan }

Step 'Sign in to the sandbox tenant as its administrator'
# `pwsh -File ... -Scopes a,b` passes one string.
$Scopes = @($Scopes | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
if ($Scopes) { Connect-MgGraph -Environment Sandbox -Scopes $Scopes -NoWelcome } else { Connect-MgGraph -Environment Sandbox -NoWelcome }
$context = Get-MgContext
$context | Format-Table
$domain = ($context.Account -split '@')[1]
if (-not $UserPrincipalName) { $UserPrincipalName = "testuser@$domain" }

Step 'Create an Entra group, and enable TAP for this group only'
$group = New-MgGroup -DisplayName 'TAP onboarding' -MailEnabled:$false -MailNickname 'taponboarding' -SecurityEnabled
$group | Format-Table
$user = New-MgUser -DisplayName 'Test User' -MailNickname 'testuser' -UserPrincipalName $UserPrincipalName -AccountEnabled `
    -PasswordProfile @{ Password = "Pw-$([guid]::NewGuid())"; ForceChangePasswordNextSignIn = $true }
New-MgGroupMember -GroupId $group.Id -DirectoryObjectId $user.Id
Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass -BodyParameter @{
    '@odata.type'  = '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'
    state          = 'enabled'
    includeTargets = @(@{ id = $group.Id; targetType = 'group'; isRegistrationRequired = $false })
}
$policy = Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass
"TAP policy: state $($policy.State), for group $($policy.AdditionalProperties['includeTargets'][0]['id'])"

Step 'Create a TAP using MG PowerShell'
$properties = @{}
$properties.isUsableOnce = $True
$properties.startDateTime = (Get-Date).ToString()
$propertiesJSON = $properties | ConvertTo-Json
New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $UserPrincipalName -BodyParameter $propertiesJSON | Format-Table

Step 'Check per-user MFA for the new account'
$u = Get-MgUser -UserId $UserPrincipalName
$userid = $u.Id
Invoke-MgGraphRequest -Method GET -Uri "/beta/users/$userid/authentication/requirements" | Format-Table

Step "Let's enable it with MG PowerShell..."
$body = @{'perUserMfaState' = 'enabled' }
Invoke-MgGraphRequest -Method PATCH -Uri "/beta/users/$userid/authentication/requirements" -Body $body
Invoke-MgGraphRequest -Method GET -Uri "/beta/users/$userid/authentication/requirements" | Format-Table

Step 'The session timed out: issue a reusable pass instead (it replaces the one-time pass)'
$properties.isUsableOnce = $false
$properties.startDateTime = (Get-Date).ToString()
$tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $UserPrincipalName -BodyParameter ($properties | ConvertTo-Json)
$tap | Format-Table

Step 'The user signs in with the pass and registers a passkey (the browser step, in the sandbox)'
Register-MgSandboxPasskey -UserId $UserPrincipalName -TemporaryAccessPass $tap.TemporaryAccessPass -DisplayName 'Security key' |
    Format-Table Id, DisplayName, Model, CreatedDateTime

Step 'PowerShell shows the same set of methods'
Get-MgUserAuthenticationMethod -UserId $UserPrincipalName | ForEach-Object { Write-Host $_.AdditionalProperties['@odata.type'] }

Step 'What this run needed: the least-privileged delegated permissions, per Microsoft''s permission map'
Get-MgGraphRequiredPermission -PermissionType Delegated | Format-Table Name, Consent, Operations -Wrap

Disconnect-MgGraph | Out-Null
