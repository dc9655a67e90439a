Set-StrictMode -Version Latest

# The default sandbox tenant, read the way admins' scripts written for the SDK read a real
# one: stale devices, expiring app credentials, licences, sign-ins, roles, MFA registration.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    # Options start a fresh tenant (without them, a process keeps the sandbox it has); the
    # default seed is the default tenant.
    Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Seed = 2026 } -NoWelcome
    $script:Now = Get-Date
}

AfterAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

Describe 'The demo tenant, as admin scripts read it' {
    It 'Microsoft Graph''s service principal lists the permissions consent scripts look up, by Microsoft''s ids' {
        $sp = Get-MgServicePrincipal -Filter "appId eq '00000003-0000-0000-c000-000000000000'"
        ($sp.Oauth2PermissionScopes | Where-Object Value -eq 'User.Read').Id | Should -Be 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'
        ($sp.AppRoles | Where-Object Value -eq 'User.Read.All').Id | Should -Be 'df021288-bdef-4463-88db-98f22de89214'
        ($sp.AppRoles | Where-Object Value -eq 'User.Read.All').AllowedMemberTypes | Should -Be @('Application')
    }

    It 'names the cloud it emulates, Global, as security suites require, and keeps their requests in the sandbox' {
        # Maester validates the context's environment against the SDK's clouds; the Zero Trust
        # assessment runs its checks only when it is Global; both build URLs from its endpoint.
        function Test-SuiteEnvironment {
            param([Parameter(Mandatory)][ValidateSet('Global', 'USGov', 'USGovDoD', 'China')] [string] $Environment)
            $Environment
        }
        $ctx = Get-MgContext
        Test-SuiteEnvironment -Environment $ctx.Environment | Should -Be 'Global'
        $root = (Get-MgEnvironment -Name $ctx.Environment).GraphEndpoint
        $root | Should -Be 'https://graph.microsoft.com'
        $org = Invoke-MgGraphRequest -Method GET -Uri "$root/v1.0/organization" -OutputType PSObject
        $org.value[0].id | Should -Be $ctx.TenantId
        # The sandbox stays where it was: its own environment, and its own administrator.
        (Get-MgEnvironment -Name Sandbox).GraphEndpoint | Should -Match '^http://127\.0\.0\.1:'
        $ctx.Account | Should -BeLike 'admin@*'
    }

    It 'prints devices, roles, domains and SKUs as tables of their own properties, as the SDK does' {
        $header = { param($objects) ($objects | Format-Table | Out-String -Width 400).Split("`n") | Where-Object { $_ -match '\S' } | Select-Object -First 1 }
        # A directory role was shown by the directoryObject view: Id and DeletedDateTime only.
        $roles = & $header (Get-MgDirectoryRole | Select-Object -First 2)
        $roles | Should -Match '\bDisplayName\b'
        $roles | Should -Match '\bRoleTemplateId\b'
        & $header (Get-MgDevice -Top 2) | Should -Match '\bAccountEnabled\b.*\bDisplayName\b'
        & $header (Get-MgDomain) | Should -Match '\bIsVerified\b'
        & $header (Get-MgSubscribedSku) | Should -Match '\bSkuPartNumber\b'
        (Get-FormatData -TypeName Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphDevice) | Should -Not -BeNullOrEmpty
    }

    It 'has an organization, verified domains and several hundred people' {
        $org = Get-MgOrganization
        @($org).Count | Should -Be 1
        $org.VerifiedDomains.Name | Should -Contain 'contoso.onmicrosoft.com'
        @(Get-MgDomain | Where-Object IsVerified).Count | Should -BeGreaterOrEqual 2
        $guests = Get-MgUser -Filter "userType eq 'Guest'" -ConsistencyLevel eventual -CountVariable guestCount -All
        $guestCount | Should -BeGreaterOrEqual 30
        @($guests).Count | Should -Be $guestCount
        @(Get-MgUser -All).Count | Should -BeGreaterOrEqual 250
    }

    It 'finds devices that have not signed in for 90 days' {
        $cutoff = $script:Now.ToUniversalTime().AddDays(-90).ToString('yyyy-MM-ddTHH:mm:ssZ')
        $stale = @(Get-MgDevice -All -Filter "approximateLastSignInDateTime le $cutoff")
        $all = @(Get-MgDevice -All)
        $stale.Count | Should -BeGreaterThan 0
        $stale.Count | Should -BeLessThan $all.Count
        foreach ($d in $stale) {
            $d.ApproximateLastSignInDateTime | Should -BeOfType [datetime]
            $d.ApproximateLastSignInDateTime | Should -BeLessThan $script:Now.AddDays(-90)
        }
        $owner = Get-MgDeviceRegisteredOwner -DeviceId $stale[0].Id
        @($owner).Count | Should -Be 1
        $owner.AdditionalProperties['userPrincipalName'] | Should -Match '@contoso\.onmicrosoft\.com$'
    }

    It 'lists app secrets and certificates that expire within 30 days' {
        $soon = $script:Now.AddDays(30)
        $expiring = foreach ($app in Get-MgApplication -All) {
            foreach ($c in @($app.PasswordCredentials) + @($app.KeyCredentials)) {
                if ($c -and $c.EndDateTime -lt $soon) {
                    [pscustomobject]@{ App = $app.DisplayName; Ends = $c.EndDateTime }
                }
            }
        }
        @($expiring).Count | Should -BeGreaterThan 2
        @($expiring | Where-Object Ends -LT $script:Now).Count | Should -BeGreaterThan 0 -Because 'some have expired already'
        $sp = Get-MgServicePrincipal -Filter "displayName eq 'Microsoft Graph'"
        $sp.AppId | Should -Be '00000003-0000-0000-c000-000000000000'
        $granted = Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -All
        @($granted).Count | Should -BeGreaterThan 5
        $granted[0].AppRoleId | Should -BeIn $sp.AppRoles.Id
    }

    It 'reports licences: SKUs with consumed units that match the users holding them' {
        $skus = Get-MgSubscribedSku
        $e3 = $skus | Where-Object SkuPartNumber -EQ 'SPE_E3'
        $e3.ConsumedUnits | Should -BeGreaterThan 0
        $e3.ConsumedUnits | Should -BeLessOrEqual $e3.PrepaidUnits.Enabled
        $holders = Get-MgUser -All -Filter "assignedLicenses/any(x:x/skuId eq $($e3.SkuId))" -ConsistencyLevel eventual -CountVariable n
        @($holders).Count | Should -Be $e3.ConsumedUnits
        $detail = Get-MgUserLicenseDetail -UserId $holders[0].Id
        $detail.SkuPartNumber | Should -Contain 'SPE_E3'
        $detail[0].ServicePlans.Count | Should -BeGreaterThan 3
    }

    It 'removes a licence as Microsoft''s licence-removal example does (-AddLicenses @{}), its plans kept as Deleted' {
        $e5 = Get-MgSubscribedSku -All | Where-Object SkuPartNumber -EQ 'SPE_E5'
        $holder = @(Get-MgUser -All -Filter "assignedLicenses/any(x:x/skuId eq $($e5.SkuId))" -ConsistencyLevel eventual -CountVariable n)[0]
        $before = (Get-MgUser -UserId $holder.Id -Property assignedPlans).AssignedPlans
        @($before | Where-Object CapabilityStatus -EQ 'Enabled').Count | Should -BeGreaterThan 0
        $user = Set-MgUserLicense -UserId $holder.Id -RemoveLicenses @($e5.SkuId) -AddLicenses @{}
        $user.Id | Should -Be $holder.Id
        @(Get-MgUserLicenseDetail -UserId $holder.Id) | Where-Object SkuId -EQ $e5.SkuId | Should -BeNullOrEmpty
        $plans = (Get-MgUser -UserId $holder.Id -Property assignedPlans).AssignedPlans
        $enabled = @($plans | Where-Object CapabilityStatus -EQ 'Enabled' | ForEach-Object ServicePlanId)
        $e5Only = @($e5.ServicePlans | ForEach-Object ServicePlanId | Where-Object { $_ -notin $enabled })
        $e5Only.Count | Should -BeGreaterThan 0
        $plans | Where-Object ServicePlanId -In $e5Only | ForEach-Object CapabilityStatus | Sort-Object -Unique | Should -Be 'Deleted'
    }

    It 'lists every Conditional Access policy on each sign-in with a result its status agrees with' {
        $policies = @(Get-MgIdentityConditionalAccessPolicy -All)
        $signIns = @(Get-MgAuditLogSignIn -All)
        foreach ($s in $signIns) {
            $applied = @($s.AppliedConditionalAccessPolicies)
            $applied.Count | Should -Be $policies.Count
            $results = @($applied | Where-Object { $policies.Id -contains $_.Id } | ForEach-Object Result)
            $results.Count | Should -Be $policies.Count -Because 'each entry names a policy of the tenant by id'
            $want = if ($results -contains 'failure') { 'failure' } elseif ($results -contains 'success') { 'success' } else { 'notApplied' }
            $s.ConditionalAccessStatus | Should -Be $want
            if ($want -eq 'failure') { $s.Status.ErrorCode | Should -Be 53003 }
        }
        @($signIns | Where-Object ConditionalAccessStatus -EQ 'success').Count | Should -BeGreaterThan 0
        @($signIns | Where-Object ConditionalAccessStatus -EQ 'failure').Count | Should -BeGreaterThan 0
        # A report-only impact review, as admins run one before enforcing a policy.
        $impact = $signIns | ForEach-Object AppliedConditionalAccessPolicies | Where-Object Result -Like 'reportOnly*' | Group-Object DisplayName
        $impact.Name | Should -Contain 'Require MFA for all users'
    }

    It 'reviews failed sign-ins and users who have not signed in lately' {
        $failed = @(Get-MgAuditLogSignIn -Filter 'status/errorCode ne 0' -Top 50)
        $failed.Count | Should -BeGreaterThan 0
        $failed.Status.ErrorCode | Should -Not -Contain 0
        $failed[0].CreatedDateTime | Should -BeOfType [datetime]
        $users = Get-MgUser -All -Property displayName, userPrincipalName, signInActivity
        $inactive = @($users | Where-Object { $_.SignInActivity -and $_.SignInActivity.LastSignInDateTime -and $_.SignInActivity.LastSignInDateTime -lt $script:Now.AddDays(-90) })
        $inactive.Count | Should -BeGreaterThan 0
        @(Get-MgAuditLogDirectoryAudit -Top 20).Count | Should -Be 20
    }

    It 'audits directory roles and who holds them' {
        $ga = Get-MgDirectoryRole -Filter "displayName eq 'Global Administrator'"
        $ga.RoleTemplateId | Should -Be '62e90394-69f5-4237-9190-012177145e10'
        $members = Get-MgDirectoryRoleMember -DirectoryRoleId $ga.Id
        $members.AdditionalProperties.userPrincipalName | Should -Contain 'admin@contoso.onmicrosoft.com'
        $assignments = Get-MgRoleManagementDirectoryRoleAssignment -All
        @($assignments | Where-Object RoleDefinitionId -EQ $ga.RoleTemplateId).Count | Should -Be @($members).Count
    }

    It 'reports MFA registration, and each person''s methods agree with the report' {
        $report = Get-MgReportAuthenticationMethodUserRegistrationDetail -All
        $notMfa = @($report | Where-Object { -not $_.IsMfaRegistered -and $_.UserType -eq 'member' })
        $notMfa.Count | Should -BeGreaterThan 0
        $registered = $report | Where-Object { $_.MethodsRegistered -contains 'microsoftAuthenticatorPush' } | Select-Object -First 1
        $types = Get-MgUserAuthenticationMethod -UserId $registered.Id | ForEach-Object { $_.AdditionalProperties['@odata.type'] }
        $types | Should -Contain '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod'
        $types | Should -Contain '#microsoft.graph.passwordAuthenticationMethod'
        $phone = Get-MgUserAuthenticationPhoneMethod -UserId ($report | Where-Object { $_.MethodsRegistered -contains 'mobilePhone' } | Select-Object -First 1).Id
        $phone.PhoneType | Should -Be 'mobile'
    }

    It 'has managers, Conditional Access policies, Intune devices and BitLocker keys' {
        $someone = Get-MgUser -Filter "jobTitle eq 'Account Executive'" -Top 1 -ConsistencyLevel eventual -CountVariable n
        $manager = Get-MgUserManager -UserId $someone.Id
        $manager.AdditionalProperties['jobTitle'] | Should -Be 'Director of Sales'
        @(Get-MgUserDirectReport -UserId $manager.Id -All).Id | Should -Contain $someone.Id
        $expanded = Get-MgUser -UserId $someone.Id -ExpandProperty manager
        $expanded.Manager.Id | Should -Be $manager.Id
        $expanded.Manager.AdditionalProperties['displayName'] | Should -Be $manager.AdditionalProperties['displayName']
        $expanded.Manager.AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.user'
        # The chain up to the top, as Microsoft's "List manager" example 2 asks for it.
        $chain = Get-MgUser -UserId $someone.Id -ExpandProperty 'manager($levels=max;$select=id,displayName)' -Property id, displayName -ConsistencyLevel eventual
        $chain.Manager.Id | Should -Be $manager.Id
        $above = $chain.Manager.AdditionalProperties['manager']
        $above | Should -Not -BeNullOrEmpty -Because 'a director has a manager too'
        $above['id'] | Should -Be (Get-MgUserManager -UserId $manager.Id).Id
        $ca = Get-MgIdentityConditionalAccessPolicy -All
        $ca.State | Should -Contain 'enabledForReportingButNotEnforced'
        ($ca | Where-Object DisplayName -EQ 'Block legacy authentication').GrantControls.BuiltInControls | Should -Be 'block'
        $managed = Get-MgDeviceManagementManagedDevice -All
        $managed.ComplianceState | Should -Contain 'noncompliant'
        $keys = Get-MgInformationProtectionBitlockerRecoveryKey -All
        @($keys).Count | Should -BeGreaterThan 0
        $keys[0].DeviceId | Should -BeIn (Get-MgDevice -All).DeviceId
    }
}

Describe 'Licences, with the query options the SDK''s Get-MgSubscribedSku has' {
    It 'takes -Top, -Filter and -CountVariable, though the metadata marks the type otherwise' {
        $all = @(Get-MgSubscribedSku)
        $all.Count | Should -BeGreaterThan 1
        @(Get-MgSubscribedSku -Top 1).Count | Should -Be 1
        $e3 = $all | Where-Object SkuPartNumber -eq 'SPE_E3'
        $e3 | Should -Not -BeNullOrEmpty
        @(Get-MgSubscribedSku -Filter "skuId eq $($e3.SkuId)").SkuPartNumber | Should -Be 'SPE_E3'
        (Get-Command Get-MgSubscribedSku).Parameters.Keys | Should -Contain 'CountVariable'
    }
}

Describe 'Scripts that change the demo tenant' {
    It 'adds and removes a group member with the SDK''s long-standing names' {
        $group = Get-MgGroup -Filter "displayName eq 'Project Falcon'"
        $guest = Get-MgUser -Filter "userType eq 'Guest'" -Top 1 -ConsistencyLevel eventual -CountVariable n
        New-MgGroupMember -GroupId $group.Id -DirectoryObjectId $guest.Id
        (Get-MgGroupMember -GroupId $group.Id -All).Id | Should -Contain $guest.Id
        Remove-MgGroupMemberByRef -GroupId $group.Id -DirectoryObjectId $guest.Id
        (Get-MgGroupMember -GroupId $group.Id -All).Id | Should -Not -Contain $guest.Id
        Get-MgUser -UserId $guest.Id | Should -Not -BeNullOrEmpty -Because 'the member is unlinked, not deleted'
    }
}

Describe 'Mail, as Microsoft''s Send-MgUserMail examples write it' {
    It 'sends with a PascalCase -BodyParameter and with -Message, keeping or not a Sent Items copy' {
        $from = (Get-MgUser -Filter "jobTitle eq 'Director of Sales'" -ConsistencyLevel eventual -CountVariable n -Top 1)
        $to = (Get-MgUser -Filter "jobTitle eq 'Director of Marketing'" -ConsistencyLevel eventual -CountVariable n -Top 1)
        $params = @{
            Message         = @{
                Subject      = 'Meet for lunch?'
                Body         = @{ ContentType = 'Text'; Content = 'The new cafeteria is open.' }
                ToRecipients = @(@{ EmailAddress = @{ Address = $to.Mail } })
            }
            SaveToSentItems = 'false'
        }
        Send-MgUserMail -UserId $from.Id -BodyParameter $params
        $inbox = Get-MgUserMailFolderMessage -UserId $to.Id -MailFolderId inbox
        $inbox.Subject | Should -Contain 'Meet for lunch?'
        ($inbox | Where-Object Subject -EQ 'Meet for lunch?').From.EmailAddress.Address | Should -Be $from.Mail
        @(Get-MgUserMessage -UserId $from.Id -All).Count | Should -Be 0 -Because 'SaveToSentItems was false'
        Send-MgUserMail -UserId $from.Id -Message @{ Subject = 'Agenda'; ToRecipients = @(@{ EmailAddress = @{ Address = $to.Mail } }) }
        (Get-MgUserMailFolderMessage -UserId $from.Id -MailFolderId sentitems).Subject | Should -Be 'Agenda'
    }
}

Describe 'Seeds and a blank tenant' {
    It 'gives the same people for the same seed, and none with Empty' {
        $first = Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Seed = 42 } -NoWelcome
        $a = (Get-MgUser -Top 20 -Filter "userType eq 'Member'" -ConsistencyLevel eventual -CountVariable n).UserPrincipalName
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Seed = 42 } -NoWelcome
        $b = (Get-MgUser -Top 20 -Filter "userType eq 'Member'" -ConsistencyLevel eventual -CountVariable n).UserPrincipalName
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Seed = 43 } -NoWelcome
        $c = (Get-MgUser -Top 20 -Filter "userType eq 'Member'" -ConsistencyLevel eventual -CountVariable n).UserPrincipalName
        $b | Should -Be $a
        ($c -join ',') | Should -Not -Be ($a -join ',')
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Empty = $true } -NoWelcome
        @(Get-MgUser -All).Count | Should -Be 4
        @(Get-MgDevice -All).Count | Should -Be 0
        $null = $first
    }
}
