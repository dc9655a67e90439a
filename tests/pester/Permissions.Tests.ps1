Set-StrictMode -Version Latest

# Microsoft Graph's permissions: Find-MgGraphPermission and Find-MgGraphCommand's Permissions (as
# in the SDK), and Get-MgGraphRequiredPermission (what the operations of a connection needed).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
}

AfterAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

Describe 'Find-MgGraphPermission' {
    It 'finds permissions by part of their name, delegated then application, each sorted by name, in the SDK table' {
        $found = @(Find-MgGraphPermission mailbox)
        $found[0].PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.Custom.Permission'
        @($found[0].PSObject.Properties.Name) | Should -Be @('Id', 'PermissionType', 'Consent', 'Name', 'Description')
        $found | ForEach-Object { $_.Name | Should -BeLike '*mailbox*' }
        $kinds = @($found.PermissionType)
        $kinds.IndexOf('Application') | Should -BeGreaterThan 0
        @($kinds | Select-Object -Skip $kinds.IndexOf('Application')) | Should -Not -Contain 'Delegated'
        $delegated = @($found | Where-Object PermissionType -EQ Delegated).Name
        $delegated | Should -Be @($delegated | Sort-Object)
        $settings = $found | Where-Object { $_.Name -eq 'MailboxSettings.Read' -and $_.PermissionType -eq 'Delegated' }
        $settings.Id | Should -Be '87f447af-9fa4-4c32-9dfa-4a57a73d18ce'
        $settings.Consent | Should -Be 'User'
        $settings.Description | Should -Be 'Allows the app to read your mailbox settings.'
        $table = Find-MgGraphPermission MailboxSettings.Read -ExactMatch | Out-String -Width 200
        $table | Should -Match 'PermissionType: Delegated'
        $table | Should -Match 'PermissionType: Application'
        $table | Should -Match 'Id\s+Consent\s+Name\s+Description'
    }

    It 'gives the ids of names piped to it, as the SDK example does' {
        $ids = 'User.Read.All', 'Group.Read.All' | Find-MgGraphPermission -ExactMatch -PermissionType Application | Select-Object -ExpandProperty Id
        $ids | Should -Be @('df021288-bdef-4463-88db-98f22de89214', '5b567255-7703-4780-807c-7be8301ae99b')
    }

    It 'says when no permission has exactly that name' {
        { Find-MgGraphPermission User.Raed -ExactMatch -ErrorAction Stop } | Should -Throw "*exactly matched the specified permission 'User.Raed'*"
        @(Find-MgGraphPermission User.Raed -ErrorAction Stop).Count | Should -Be 0
    }

    It 'lists every application permission with -All, each needing an administrator' {
        $all = @(Find-MgGraphPermission -All -PermissionType Application)
        $all.Count | Should -BeGreaterThan 500
        @($all | Where-Object Consent -NE 'Admin').Count | Should -Be 0
        @($all.Name | Select-Object -Unique).Count | Should -Be $all.Count
    }

    It 'is reachable under the SDK module' {
        (Microsoft.Graph.Authentication\Find-MgGraphPermission User.Read -ExactMatch -PermissionType Delegated).Id | Should -Be 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'
    }
}

Describe 'Find-MgGraphCommand permissions' {
    It 'lists the permissions of each command and URI from Microsoft''s map, least privileged marked' {
        $row = Find-MgGraphCommand -Command Remove-MgGroup | Select-Object -First 1
        $row.Permissions.Count | Should -BeGreaterThan 0
        $p = $row.Permissions | Where-Object { $_.Name -eq 'Group.ReadWrite.All' -and $_.PermissionType -eq 'Application' }
        $p.IsAdmin | Should -BeTrue
        $p.IsLeastPrivilege | Should -BeTrue
        $p.Description | Should -Not -BeNullOrEmpty
        $p.FullDescription | Should -BeLike 'Allows the app*'
        # A write is never granted by a read-only permission.
        @($row.Permissions | Where-Object Name -Match '\.Read(Basic)?\.').Count | Should -Be 0
        $byUri = Find-MgGraphCommand -Uri '/users/{id}' -Method GET -ApiVersion v1.0
        ($byUri.Permissions | Where-Object IsLeastPrivilege).Name | Should -Contain 'User.ReadBasic.All'
        # The SDK's class, listed by name: {Group.ReadWrite.All, ...}, not each one's fields.
        $p | Should -BeOfType ([Microsoft.Graph.PowerShell.Authentication.Models.GraphPermission])
        "$p" | Should -Be 'Group.ReadWrite.All'
        $shown = $row | Format-List | Out-String -Width 300
        $shown | Should -Match '(?m)^Permissions\s+: \{[A-Za-z.-]+, '
        $shown | Should -Not -Match '@\{Name='
    }
}

Describe 'Get-MgGraphRequiredPermission' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -NoWelcome }

    It 'lists what the connection''s operations needed, and starts again with -Clear' {
        $id = (Get-MgUser -Top 1).Id
        $null = Get-MgUser -UserId $id
        $null = Invoke-MgGraphRequest -Method GET -Uri "/v1.0/users/$id/memberOf"
        $ops = @(Get-MgGraphRequiredPermission -Operation)
        @($ops | ForEach-Object { "$($_.Method) $($_.Path)" }) | Should -Be @('GET /users', 'GET /users/{id}', 'GET /users/{id}/memberOf')
        ($ops | Where-Object Path -EQ '/users/{id}').Count | Should -Be 1
        $ops[0].Delegated | Should -Contain 'User.ReadBasic.All'
        $needed = @(Get-MgGraphRequiredPermission -PermissionType Application -Clear)
        $needed | ForEach-Object { $_.PermissionType | Should -Be 'Application' }
        @($needed.Operations | Sort-Object) | Should -Be @('GET /users', 'GET /users/{id}', 'GET /users/{id}/memberOf')
        $needed[0].Id | Should -Match '^[0-9a-f-]{36}$'
        # Shown as a table grouped by permission type, so a permission of each kind is told apart.
        $null = Get-MgUser -Top 1
        $table = Get-MgGraphRequiredPermission | Out-String -Width 200
        $table | Should -Match 'PermissionType: Delegated'
        $table | Should -Match 'PermissionType: Application'
        $table | Should -Match '(?m)^Name\s+Consent\s+Operations'
        $null = Get-MgGraphRequiredPermission -Clear
        Get-MgGraphRequiredPermission -WarningVariable w -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$w" | Should -BeLike '*no Graph operation yet*'
    }

    It 'names the permission a guarded property needs, which the sandbox refuses without it' {
        # A stale-users report: signInActivity needs AuditLog.Read.All beside the list's own.
        Revoke-SandboxConsent
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All -NoWelcome
        (Get-MgContext).Scopes | Should -Not -Contain 'AuditLog.Read.All' 
        $err = $null
        $null = Get-MgUser -Top 2 -Property displayName, signInActivity -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
        $needed = @(Get-MgGraphRequiredPermission -PermissionType Delegated)
        ($needed | Where-Object Name -EQ 'AuditLog.Read.All').Operations | Should -Be @('GET /users (signInActivity)')
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All, AuditLog.Read.All -NoWelcome
        @(Get-MgUser -Top 2 -Property displayName, signInActivity).Count | Should -Be 2
    }

    It 'counts -Property * as reading every guarded property' {
        # The test above consented AuditLog.Read.All, and the sandbox keeps consent as Entra does.
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All -NoWelcome
        (Get-MgContext).Scopes | Should -Contain 'AuditLog.Read.All'
        Revoke-SandboxConsent
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All -NoWelcome
        $err = $null
        $null = Get-MgUser -Top 2 -Property * -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
        (Get-MgGraphRequiredPermission -PermissionType Delegated).Name | Should -Contain 'AuditLog.Read.All'
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All, AuditLog.Read.All, CustomSecAttributeAssignment.Read.All -NoWelcome
        $users = @(Get-MgUser -Top 2 -Property *)
        $users.Count | Should -Be 2
    }
}

Describe 'Consent, kept as Entra keeps it' {
    It 'warns of a scope Microsoft Graph does not define, which a tenant would refuse' {
        $w = $null
        Connect-MgGraph -Environment Sandbox -Scopes User.Raed.All, User.Read.All -NoWelcome -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -BeLike "*'User.Raed.All'*AADSTS650053*"
        "$w" | Should -Not -BeLike "*'User.Read.All'*"
        $w = $null
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All -NoWelcome -WarningVariable w -WarningAction SilentlyContinue
        @($w).Count | Should -Be 0
        Connect-MgGraph -Environment Sandbox -NoWelcome
    }

    It 'a second Connect-MgGraph keeps what the first consented to, and removing the grant takes it back' {
        Revoke-SandboxConsent
        # Two of Microsoft's examples run one after the other, each with its own -Scopes.
        Connect-MgGraph -Environment Sandbox -Scopes User.Read.All -NoWelcome
        Connect-MgGraph -Environment Sandbox -Scopes Group.Read.All -NoWelcome
        (Get-MgContext).Scopes | Should -Contain 'User.Read.All'
        (Get-MgContext).Scopes | Should -Contain 'Group.Read.All'
        @(Get-MgUser -Top 2).Count | Should -Be 2
        # Graph's record of it: the administrator's own grant to the Command Line Tools.
        Connect-MgGraph -Environment Sandbox -NoWelcome   # the sandbox's shortcut, not consent
        $me = (Get-MgUser -UserId (Get-MgContext).Account).Id
        $grant = @(Get-MgOauth2PermissionGrant -Filter "principalId eq '$me'")
        $grant.Count | Should -Be 1
        $grant[0].ConsentType | Should -Be 'Principal'
        $grant[0].Scope -split ' ' | Should -Contain 'User.Read.All'
        $grant[0].Scope -split ' ' | Should -Not -Contain 'Mail.Send' -Because 'the shortcut sign-in records no consent'
        (Get-MgServicePrincipal -ServicePrincipalId $grant[0].ClientId).AppId | Should -Be '14d82eec-204b-4c2f-b7e8-296a70dab67e'
        Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grant[0].Id
        Connect-MgGraph -Environment Sandbox -Scopes Group.Read.All -NoWelcome
        (Get-MgContext).Scopes | Should -Not -Contain 'User.Read.All'
        $err = $null
        $null = Get-MgUser -Top 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
    }
}
