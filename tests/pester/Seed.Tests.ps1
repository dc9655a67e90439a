Set-StrictMode -Version Latest

# The seed walk-through (Temporary Access Pass onboarding), step by step, checking values.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    # A fresh sandbox tenant for this file.
    Connect-MgGraph -Environment Sandbox -SandboxOptions @{ Domain = 'seed.onmicrosoft.com' } -NoWelcome
    $script:Upn = 'testuser@seed.onmicrosoft.com'
}

AfterAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

Describe 'The TAP onboarding walk-through' {
    It 'signs in to the sandbox as its administrator' {
        $ctx = Get-MgContext
        $ctx.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Authentication.AuthContext'
        $ctx.AuthType | Should -Be 'Delegated'
        $ctx.Account | Should -Be 'admin@seed.onmicrosoft.com'
        $ctx.Environment | Should -Be 'Global'   # the cloud the sandbox emulates
        $ctx.Scopes | Should -Contain 'UserAuthenticationMethod.ReadWrite.All'
    }

    It 'creates a group and a user in it' {
        $script:Group = New-MgGroup -DisplayName 'TAP onboarding' -MailEnabled:$false -MailNickname 'taponboarding' -SecurityEnabled
        $script:Group.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphGroup'
        $script:Group.SecurityEnabled | Should -BeTrue
        $script:Group.Id | Should -Match '^[0-9a-f-]{36}$'
        $script:User = New-MgUser -DisplayName 'Test User' -MailNickname testuser -UserPrincipalName $script:Upn -AccountEnabled `
            -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d'; ForceChangePasswordNextSignIn = $true }
        $script:User.UserPrincipalName | Should -Be $script:Upn
        $script:User.PasswordProfile | Should -BeNullOrEmpty
        New-MgGroupMember -GroupId $script:Group.Id -DirectoryObjectId $script:User.Id | Should -BeNullOrEmpty
        $members = @(Get-MgGroupMember -GroupId $script:Group.Id)
        $members.Count | Should -Be 1
        $members[0].Id | Should -Be $script:User.Id
        $members[0].AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.user'
        $members[0].AdditionalProperties['userPrincipalName'] | Should -Be $script:Upn
    }

    It 'refuses a TAP while the policy is disabled (the default), naming the policy' {
        $policy = Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass
        $policy.State | Should -Be 'disabled'
        { New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -ErrorAction Stop } |
            Should -Throw '*Converged UserCredentialPolicy does not allow creating or updating this authentication method*'
    }

    It 'enables TAP for that group only' {
        Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass -BodyParameter @{
            '@odata.type'  = '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'
            state          = 'enabled'
            includeTargets = @(@{ id = $script:Group.Id; targetType = 'group'; isRegistrationRequired = $false })
        }
        $policy = Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass
        $policy.State | Should -Be 'enabled'
        $policy.AdditionalProperties['includeTargets'][0]['id'] | Should -Be $script:Group.Id
        $policy.AdditionalProperties['minimumLifetimeInMinutes'] | Should -Be 60
        # The administrator is not in the group.
        { New-MgUserAuthenticationTemporaryAccessPassMethod -UserId 'adelev@seed.onmicrosoft.com' -ErrorAction Stop } | Should -Throw '*Converged UserCredentialPolicy*'
    }

    It 'creates a TAP from a JSON body whose startDateTime is (Get-Date).ToString()' {
        $properties = @{}
        $properties.isUsableOnce = $True
        $properties.startDateTime = (Get-Date).ToString()
        $propertiesJSON = $properties | ConvertTo-Json
        $before = [datetime]::UtcNow
        $script:Tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -BodyParameter $propertiesJSON
        $tap = $script:Tap
        $tap.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphTemporaryAccessPassAuthenticationMethod'
        $tap.IsUsableOnce | Should -BeTrue
        $tap.IsUsable | Should -BeTrue
        $tap.LifetimeInMinutes | Should -Be 60
        $tap.MethodUsabilityReason | Should -Be 'EnabledByPolicy'
        $tap.TemporaryAccessPass | Should -Match '^\S{8}$'
        $tap.StartDateTime | Should -BeOfType [datetime]
        $tap.CreatedDateTime | Should -BeOfType [datetime]
        [math]::Abs(($tap.StartDateTime.ToUniversalTime() - $before).TotalSeconds) | Should -BeLessThan 60
        $tap.AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.temporaryAccessPassAuthenticationMethod'
    }

    It 'shows the TAP with the SDK table columns' {
        $table = ($script:Tap | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1
        ($table -split '\s+' | Where-Object { $_ }) | Should -Be @('Id', 'CreatedDateTime', 'IsUsable', 'IsUsableOnce', 'LifetimeInMinutes', 'MethodUsabilityReason', 'StartDateTime', 'TemporaryAccessPass')
    }

    It 'understands dates in the current culture, as the SDK does' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $start = (Get-Date).AddMinutes(30)
            $json = @{ isUsableOnce = $true; startDateTime = $start.ToString() } | ConvertTo-Json
            $json | Should -Match '\d{2}\.\d{2}\.\d{4}'
            $tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -BodyParameter $json
            $tap.MethodUsabilityReason | Should -Be 'NotYetValid'
            [math]::Abs(($tap.StartDateTime.ToUniversalTime() - $start.ToUniversalTime()).TotalSeconds) | Should -BeLessThan 2
        }
        finally { [cultureinfo]::CurrentCulture = $saved }
    }

    It 'reads per-user MFA through Invoke-MgGraphRequest on /beta as a hashtable' {
        $u = Get-MgUser -UserId $script:Upn
        $script:UserId = $u.Id
        $r = Invoke-MgGraphRequest -Method GET -Uri "/beta/users/$($script:UserId)/authentication/requirements"
        $r | Should -BeOfType [hashtable]
        $r['perUserMfaState'] | Should -Be 'disabled'
        $r['PERUSERMFASTATE'] | Should -Be 'disabled'
        $r['@odata.context'] | Should -Be "https://graph.microsoft.com/beta/`$metadata#users('$($script:UserId)')/authentication/requirements"
        $lines = ($r | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^Name\s+Value'
    }

    It 'enables per-user MFA with a PATCH' {
        $body = @{'perUserMfaState' = 'enabled' }
        Invoke-MgGraphRequest -Method PATCH -Uri "/beta/users/$($script:UserId)/authentication/requirements" -Body $body | Should -BeNullOrEmpty
        (Invoke-MgGraphRequest -Method GET -Uri "/beta/users/$($script:UserId)/authentication/requirements")['perUserMfaState'] | Should -Be 'enabled'
        (Get-MgBetaUserAuthenticationRequirement -UserId $script:Upn).PerUserMfaState | Should -Be 'enabled'
    }

    It 'replaces the pass with a reusable one (one TAP per user)' {
        $script:Tap2 = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -BodyParameter (@{ isUsableOnce = $false; startDateTime = (Get-Date).ToString() } | ConvertTo-Json)
        $script:Tap2.IsUsableOnce | Should -BeFalse
        $list = @(Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn)
        $list.Count | Should -Be 1
        $list[0].Id | Should -Be $script:Tap2.Id
        $list[0].TemporaryAccessPass | Should -BeNullOrEmpty
    }

    It 'lets the user register a passkey with the pass' {
        $key = Register-MgSandboxPasskey -UserId $script:Upn -TemporaryAccessPass $script:Tap2.TemporaryAccessPass -DisplayName 'Security key'
        $key.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphFido2AuthenticationMethod'
        $key.DisplayName | Should -Be 'Security key'
        (Get-MgUserAuthenticationFido2Method -UserId $script:Upn).Id | Should -Be $key.Id
        # A reusable pass still works.
        (Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn).IsUsable | Should -BeTrue
    }

    It 'lists the same methods as the walk-through, via AdditionalProperties' {
        $types = Get-MgUserAuthenticationMethod -UserId $script:Upn | ForEach-Object { $_.AdditionalProperties['@odata.type'] }
        $types | Should -Be @(
            '#microsoft.graph.passwordAuthenticationMethod'
            '#microsoft.graph.temporaryAccessPassAuthenticationMethod'
            '#microsoft.graph.fido2AuthenticationMethod')
        $methods = @(Get-MgUserAuthenticationMethod -UserId $script:Upn)
        $methods[0].PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphAuthenticationMethod'
        # The base type declares only Id and CreatedDateTime (Graph's v1.0 metadata), as in the
        # SDK; the derived type's members are in AdditionalProperties.
        $names = @($methods[0].PSObject.Properties.Where({ $_.MemberType -eq 'Property' }).Name | Sort-Object)
        $names | Should -Be @('AdditionalProperties', 'CreatedDateTime', 'Id')
        $methods[0].AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.passwordAuthenticationMethod'
    }

    It 'refuses a used one-time pass and an unusable pass at sign-in, with the reason' {
        $once = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -IsUsableOnce
        Register-MgSandboxPasskey -UserId $script:Upn -TemporaryAccessPass $once.TemporaryAccessPass -DisplayName 'Second key' | Out-Null
        { Register-MgSandboxPasskey -UserId $script:Upn -TemporaryAccessPass $once.TemporaryAccessPass -ErrorAction Stop } |
            Should -Throw '*one use only*'
        (Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn).MethodUsabilityReason | Should -Be 'OneTimeUsed'
        $later = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $script:Upn -StartDateTime (Get-Date).AddHours(1)
        { Register-MgSandboxPasskey -UserId $script:Upn -TemporaryAccessPass $later.TemporaryAccessPass -ErrorAction Stop } |
            Should -Throw '*not valid yet*'
    }

    It 'lists what the walk-through needed: per call the least-privileged permission Microsoft documents, and one covering set' {
        # Each call's least-privileged delegated permission, as the Permissions section of its
        # Graph API page gives it (Microsoft's permission map is the data behind those pages).
        $documented = @{
            'POST /groups'                                                                                    = 'Group.ReadWrite.All'                   # group-post-groups
            'POST /users'                                                                                     = 'User.ReadWrite.All'                    # user-post-users
            'POST /groups/{id}/members'                                                                       = 'GroupMember.ReadWrite.All'             # group-post-members ($ref)
            'GET /groups/{id}/members'                                                                        = 'GroupMember.ReadBasic.All'             # group-list-members
            'GET /users/{id}'                                                                                 = 'User.ReadBasic.All'                    # user-get
            'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass'   = 'Policy.Read.AuthenticationMethod'      # temporaryaccesspassauthenticationmethodconfiguration-get
            'PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass' = 'Policy.ReadWrite.AuthenticationMethod' # ...-update
            'POST /users/{id}/authentication/temporaryAccessPassMethods'                                       = 'UserAuthMethod-TAP.ReadWrite.All'      # authentication-post-temporaryaccesspassmethods
            'GET /users/{id}/authentication/temporaryAccessPassMethods'                                        = 'UserAuthMethod-TAP.Read'               # authentication-list-temporaryaccesspassmethods
            'GET /users/{id}/authentication/fido2Methods'                                                      = 'UserAuthMethod-Passkey.Read'           # fido2authenticationmethod-list
            'GET /users/{id}/authentication/methods'                                                           = 'UserAuthenticationMethod.Read.All'     # authentication-list-methods
            'GET /users/{id}/authentication/requirements'                                                      = 'Policy.Read.All'                       # beta: strongauthenticationrequirements-get
            'PATCH /users/{id}/authentication/requirements'                                                    = 'Policy.ReadWrite.AuthenticationMethod' # beta: strongauthenticationrequirements-update
        }
        $ops = @(Get-MgGraphRequiredPermission -Operation)
        @($ops | ForEach-Object { "$($_.Method) $($_.Path)" } | Sort-Object) | Should -Be @($documented.Keys | Sort-Object)
        foreach ($op in $ops) {
            $op.Delegated | Should -Contain $documented["$($op.Method) $($op.Path)"] -Because "$($op.Method) $($op.Path)"
        }
        # One covering set: every call under exactly one permission that grants it, each with its id.
        $needed = @(Get-MgGraphRequiredPermission -PermissionType Delegated)
        @($needed.Operations | Sort-Object) | Should -Be @($documented.Keys | Sort-Object)
        # The narrower UserAuthMethod-TAP.ReadWrite.All and UserAuthenticationMethod.Read.All,
        # not UserAuthenticationMethod.ReadWrite.All, which would write every method.
        @($needed.Name | Sort-Object) | Should -Be @('Group.ReadWrite.All', 'Policy.ReadWrite.AuthenticationMethod', 'User.ReadWrite.All',
            'UserAuthenticationMethod.Read.All', 'UserAuthMethod-Passkey.Read', 'UserAuthMethod-TAP.ReadWrite.All')
        foreach ($p in $needed) {
            $p.Id | Should -Be (Find-MgGraphPermission $p.Name -ExactMatch -PermissionType Delegated).Id
        }
        $script:Needed = $needed.Name
    }

    It 'runs as the walk-through script with only the permissions it listed' {
        $script = Join-Path $PSScriptRoot '../../module/examples/TapOnboarding.ps1'
        $out = pwsh -NoProfile -File $script -Scopes ($script:Needed -join ',') 6>&1 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match 'perUserMfaState\s+enabled'
        # And a permission short, the sandbox refuses the call that needs it, as Graph would.
        $fewer = @($script:Needed | Where-Object { $_ -ne 'Policy.ReadWrite.AuthenticationMethod' }) -join ','
        $out = pwsh -NoProfile -File $script -Scopes $fewer 6>&1 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $out | Should -Match 'Authorization_RequestDenied|Insufficient privileges'
    }

    It 'runs as the walk-through script, end to end' {
        $script = Join-Path $PSScriptRoot '../../module/examples/TapOnboarding.ps1'
        $out = pwsh -NoProfile -File $script 6>&1 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $out | Should -Match 'perUserMfaState\s+disabled'
        $out | Should -Match 'perUserMfaState\s+enabled'
        $out | Should -Match '#microsoft.graph.passwordAuthenticationMethod\s+#microsoft.graph.temporaryAccessPassAuthenticationMethod\s+#microsoft.graph.fido2AuthenticationMethod'
    }
}
