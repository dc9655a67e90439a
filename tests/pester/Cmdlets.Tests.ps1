Set-StrictMode -Version Latest

# The generated cmdlets: SDK output types, pipeline binding, ShouldProcess, query options.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    Connect-MgGraph -Environment Sandbox -SandboxOptions @{ SeedUsers = 300; Empty = $true } -NoWelcome
}

AfterAll { Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null }

Describe 'Output objects' {
    It 'carry the SDK type names and PascalCase properties, dates as DateTime' {
        $u = Get-MgUser -UserId admin@contoso.onmicrosoft.com -Property Id, DisplayName, CreatedDateTime, AccountEnabled
        $u.GetType().FullName | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        $u.PSObject.TypeNames[0] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser'
        $u.DisplayName | Should -Be 'Sandbox Administrator'
        $u.CreatedDateTime | Should -BeOfType [datetime]
        $u.CreatedDateTime.Kind | Should -Be 'Utc'
        $u.AccountEnabled | Should -BeTrue
        $u.Mail | Should -BeNullOrEmpty -Because 'not selected, so null, as in the SDK'
        $u.AdditionalProperties['@odata.context'] | Should -Match '\$metadata#users\(Id,DisplayName,CreatedDateTime,AccountEnabled\)/\$entity'
    }

    It 'a user table has the SDK default columns' {
        $header = ((Get-MgUser -Top 1 | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_.Trim() })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('Id', 'DisplayName', 'Mail', 'UserPrincipalName', 'UserType')
    }

    It 'applications, service principals and beta objects have the SDK''s table columns too' -ForEach @(
        @{ Command = { New-MgApplication -DisplayName 'Columns' }; Columns = @('Id', 'DisplayName', 'AppId', 'SignInAudience', 'PublisherDomain') }
        @{ Command = { New-MgServicePrincipal -AppId (New-MgApplication -DisplayName 'Columns SP').AppId }; Columns = @('Id', 'DisplayName', 'AppId', 'SignInAudience', 'PublisherName') }
        @{ Command = { New-MgBetaGroup -DisplayName 'Columns' -MailEnabled:$false -MailNickname 'columns' -SecurityEnabled }; Columns = @('Id', 'DisplayName', 'Description', 'GroupTypes', 'AccessType') }
        @{ Command = { Get-MgBetaUser -Top 1 }; Columns = @('Id', 'DisplayName', 'Mail', 'UserPrincipalName', 'UserType') }
    ) {
        $header = ((& $Command | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_.Trim() })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be $Columns
    }

    It 'the type exists for casts after the first call, as SDK model types do' {
        ([type]'Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser').Name | Should -Be 'MicrosoftGraphUser'
    }
}

Describe 'Lists and paging' {
    It 'without -All returns the first page, as the SDK does' {
        @(Get-MgUser).Count | Should -Be 100
    }

    It '-Top returns that many, paging beyond 999 if needed' {
        @(Get-MgUser -Top 5).Count | Should -Be 5
        @(Get-MgUser -Top 250 -PageSize 100).Count | Should -Be 250
    }

    It '-All streams every user' {
        $all = Get-MgUser -All -Property Id
        @($all).Count | Should -Be 304
        @($all.Id | Select-Object -Unique).Count | Should -Be 304
    }

    It '-All streams: the first object arrives before the last page is fetched' {
        $first = Get-MgUser -All -PageSize 10 | Select-Object -First 1
        $first.Id | Should -Not -BeNullOrEmpty
    }

    It '-Filter, -Sort and -Property pass through' {
        # Graph sorts a filtered list only in an advanced query (ConsistencyLevel and $count).
        { Get-MgUser -Filter "startswith(displayName,'Seed User 00001')" -Sort 'displayName desc' -ErrorAction Stop } |
            Should -Throw '*Sorting not supported for current query*'
        $u = @(Get-MgUser -Filter "startswith(displayName,'Seed User 00001')" -Sort 'displayName desc' -Property Id, DisplayName -ConsistencyLevel eventual -CountVariable sortedCount)
        $u.Count | Should -Be 10
        $sortedCount | Should -Be 10
        $u[0].DisplayName | Should -Be 'Seed User 000019'
    }

    It '-CountVariable with -ConsistencyLevel eventual sets a global variable' {
        Remove-Variable -Name userCount -Scope Global -ErrorAction SilentlyContinue
        $null = Get-MgUser -Filter "endswith(mail,'@contoso.onmicrosoft.com')" -ConsistencyLevel eventual -CountVariable userCount -Top 1
        $global:userCount | Should -Be 304
        # The docs' -Count spelling works through prefix matching.
        $null = Get-MgUser -ConsistencyLevel eventual -Count n2 -Top 1
        $global:n2 | Should -Be 304
    }

    It '-ResponseHeadersVariable returns the response headers' {
        $null = Get-MgUser -UserId admin@contoso.onmicrosoft.com -ResponseHeadersVariable rh
        $rh['request-id'][0] | Should -Match '^[0-9a-f-]{36}$'
    }
}

Describe 'Pipelines and identities' {
    It 'objects have the SDK''s properties only, so functions built on the SDK bind them as they would the SDK''s' {
        $user = Get-MgUser -UserId adelev@contoso.onmicrosoft.com
        # No alias properties beside the SDK's (UserId, DirectoryObjectId): hidden or not, they
        # are listed by ConvertTo-Json and taken by other modules' pipeline binding.
        $user.PSObject.Properties.Name | Should -Not -Contain 'UserId'
        $user.PSObject.Properties.Name | Should -Not -Contain 'DirectoryObjectId'
        ($user | ConvertTo-Json -Depth 2 | ConvertFrom-Json).PSObject.Properties.Name | Should -Not -Contain 'UserId'
        # Microsoft.Entra's Get-EntraUserGroup: -UserId by property name (UserPrincipalName, as
        # the SDK's user has it), and a -GroupId whose alias DirectoryObjectId a user must not fill.
        function Get-UserGroupLike {
            [CmdletBinding(DefaultParameterSetName = 'List')]
            param(
                [Parameter(Mandatory, ValueFromPipelineByPropertyName)][Alias('ObjectId', 'UserPrincipalName')][string] $UserId,
                [Parameter(ParameterSetName = 'ById', Mandatory, ValueFromPipelineByPropertyName)][Alias('DirectoryObjectId')][string] $GroupId
            )
            process { "$($PSCmdlet.ParameterSetName):$UserId" }
        }
        $user | Get-UserGroupLike | Should -Be 'List:adelev@contoso.onmicrosoft.com'
        # As with the SDK, a script passes the id on.
        $methods = $user | ForEach-Object { Get-MgUserAuthenticationMethod -UserId $_.Id }
        $methods.AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.passwordAuthenticationMethod'
        ([pscustomobject]@{ UserId = 'alexw@contoso.onmicrosoft.com' } | Get-MgBetaUserAuthenticationRequirement).PerUserMfaState | Should -Be 'disabled'
    }

    It 'identity objects and hashtables bind -InputObject' {
        $u = @{ UserId = 'meganb@contoso.onmicrosoft.com' } | Get-MgUser
        $u.DisplayName | Should -Be 'Megan Bowen'
    }

    It "the SDK's identity types (IUsersIdentity, ...) exist with the module, cast from hashtables and bind -InputObject" {
        Import-Module Microsoft.Graph.Users, Microsoft.Graph.Groups, Microsoft.Graph.Beta.Users
        # A hashtable cast to the interface, names in any case; a name the type lacks is left out.
        $id = [Microsoft.Graph.PowerShell.Models.IUsersIdentity]@{ userid = 'meganb@contoso.onmicrosoft.com'; Bogus = 1 }
        $id | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.UsersIdentity])
        $id.UserId | Should -Be 'meganb@contoso.onmicrosoft.com'
        (Get-MgUser -InputObject $id).DisplayName | Should -Be 'Megan Bowen'
        ($id | Get-MgUser).DisplayName | Should -Be 'Megan Bowen'
        (Get-MgBetaUser -InputObject ([Microsoft.Graph.Beta.PowerShell.Models.UsersIdentity]@{ UserId = 'meganb@contoso.onmicrosoft.com' })).DisplayName |
            Should -Be 'Megan Bowen'

        # A function of a module built on the SDK, declaring the identity type, passes it on.
        $group = New-MgGroup -DisplayName 'Identity test' -MailEnabled:$false -MailNickname identitytest -SecurityEnabled
        function Get-WrappedGroup {
            param([Parameter(ValueFromPipeline)][Microsoft.Graph.PowerShell.Models.IGroupsIdentity] $InputObject)
            process { Get-MgGroup -InputObject $InputObject }
        }
        (@{ GroupId = $group.Id } | Get-WrappedGroup).DisplayName | Should -Be 'Identity test'
        $built = [Microsoft.Graph.PowerShell.Models.GroupsIdentity]::new()
        $built.GroupId = $group.Id
        (Get-WrappedGroup -InputObject $built).Id | Should -Be $group.Id
        # Objects with the ids' names bind them by property name.
        ([pscustomobject]@{ UserId = 'meganb@contoso.onmicrosoft.com' } | Get-MgUser).UserPrincipalName | Should -Be 'meganb@contoso.onmicrosoft.com'
        Remove-MgGroup -GroupId $group.Id
    }

    It 'UserId accepts a UPN and an id' {
        $u = Get-MgUser -UserId meganb@contoso.onmicrosoft.com
        (Get-MgUser -UserId $u.Id).UserPrincipalName | Should -Be 'meganb@contoso.onmicrosoft.com'
    }
}

Describe 'Changes' {
    It 'New/Update/Remove support -WhatIf and send nothing then' {
        New-MgUser -DisplayName x -MailNickname whatif -UserPrincipalName whatif@contoso.onmicrosoft.com -AccountEnabled -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d' } -WhatIf
        { Get-MgUser -UserId whatif@contoso.onmicrosoft.com -ErrorAction Stop } | Should -Throw '*does not exist*'
        Remove-MgUser -UserId adelev@contoso.onmicrosoft.com -WhatIf
        (Get-MgUser -UserId adelev@contoso.onmicrosoft.com).Id | Should -Not -BeNullOrEmpty
    }

    It 'Update-MgUser patches and outputs nothing; -PassThru outputs $true' {
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -JobTitle 'Engineer' | Should -BeNullOrEmpty
        (Get-MgUser -UserId alexw@contoso.onmicrosoft.com).JobTitle | Should -Be 'Engineer'
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -BodyParameter @{ jobTitle = 'Lead' } -PassThru | Should -BeTrue
        (Get-MgUser -UserId alexw@contoso.onmicrosoft.com -Property JobTitle).JobTitle | Should -Be 'Lead'
    }

    It 'a body''s $null clears a property, at any depth, as the SDK sends it; an unset property is left out' {
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -OfficeLocation 'Building 1'
        (Get-MgUser -UserId alexw@contoso.onmicrosoft.com -Property OfficeLocation).OfficeLocation | Should -Be 'Building 1'
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -BodyParameter @{ officeLocation = $null }
        (Get-MgUser -UserId alexw@contoso.onmicrosoft.com -Property OfficeLocation).OfficeLocation | Should -BeNullOrEmpty
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -OfficeLocation 'Building 2'
        Update-MgUser -UserId alexw@contoso.onmicrosoft.com -BodyParameter ([pscustomobject]@{ officeLocation = $null })
        (Get-MgUser -UserId alexw@contoso.onmicrosoft.com -Property OfficeLocation).OfficeLocation | Should -BeNullOrEmpty
        $policy = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessPolicy]@{ displayName = 'x'; conditions = @{ devices = $null } }
        $json = $policy.ToJsonString() | ConvertFrom-Json -AsHashtable
        $json.conditions.Keys | Should -Be @('devices')
        $json.conditions.devices | Should -BeNullOrEmpty
        $json.Keys | Sort-Object | Should -Be @('conditions', 'displayName')
        $user = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ officeLocation = $null }
        $user.ToJsonString() | Should -Be '{"officeLocation":null}'
        $user.OfficeLocation = 'Building 3'
        $user.ToJsonString() | Should -Be '{"officeLocation":"Building 3"}'
        ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ jobTitle = 'x' }).ToJsonString() | Should -Be '{"jobTitle":"x"}'
    }

    It 'Remove-MgUser deletes' {
        $u = New-MgUser -DisplayName 'Temp' -MailNickname temp -UserPrincipalName temp@contoso.onmicrosoft.com -AccountEnabled -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d' }
        Remove-MgUser -UserId $u.Id -Confirm:$false
        { Get-MgUser -UserId $u.Id -ErrorAction Stop } | Should -Throw '*does not exist*'
    }

    It 'hashtable bodies match properties ignoring case, as the SDK type converter does' {
        $u = New-MgUser -BodyParameter @{ AccountEnabled = $true; DISPLAYNAME = 'Case'; mailnickname = 'case'; UserPrincipalName = 'case@contoso.onmicrosoft.com'; passwordProfile = @{ PASSWORD = 'xWwvJ]6NMw+bWH-d' } }
        $u.DisplayName | Should -Be 'Case'
    }
}

# Microsoft's documented examples write bodies as hashtables whose values are text, byte arrays
# and open members; the SDK's models convert them when they bind, so the request is the same.
Describe 'Bodies as Microsoft''s examples write them' {
    It 'an action''s -BodyParameter converts text to booleans and numbers, as its request-body model does' {
        $params = @{
            attendees                 = @(@{ type = 'required'; emailAddress = @{ address = 'alexw@contoso.onmicrosoft.com' } })
            meetingDuration           = 'PT1H'
            isOrganizerOptional       = 'false'
            returnSuggestionReasons   = 'true'
            minimumAttendeePercentage = '100'
        }
        # The sandbox refuses '100' for Edm.Double (as Graph's OData layer does for a literal of the wrong kind).
        { Find-MgUserMeetingTime -UserId admin@contoso.onmicrosoft.com -BodyParameter $params -ErrorAction Stop } | Should -Not -Throw
    }

    It 'an action''s -BodyParameter sends a [byte[]] as base64 where the type is Edm.Binary, at any depth' {
        $app = New-MgApplication -DisplayName 'Key example'
        $bytes = [System.Text.Encoding]::ASCII.GetBytes('MIIDYDCCAki')
        $params = @{ keyCredential = @{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = $bytes }; passwordCredential = $null; proof = 'eyJ0eXAiOiJ' }
        $key = Add-MgApplicationKey -ApplicationId $app.Id -BodyParameter $params -ErrorAction Stop
        $key.Usage | Should -Be 'Verify'
        (Get-MgApplication -ApplicationId $app.Id).KeyCredentials.Count | Should -Be 1
    }

    It 'a certificate set as bytes on a key credential reads back as Graph returns it: thumbprint, validity, no key' {
        $app = New-MgApplication -DisplayName 'Certificate example'
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=MgGraph test', $rsa, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30))
        # As Microsoft's certificate how-to writes it: a typed key credential holding the raw data.
        $kc = New-Object Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential
        $kc.Key = $cert.GetRawCertData(); $kc.Type = 'AsymmetricX509Cert'; $kc.Usage = 'Verify'
        Update-MgApplication -ApplicationId $app.Id -KeyCredentials $kc -ErrorAction Stop
        $read = (Get-MgApplication -ApplicationId $app.Id).KeyCredentials
        $read.Count | Should -Be 1
        $read[0].Key | Should -BeNullOrEmpty
        [Convert]::ToHexString($read[0].CustomKeyIdentifier) | Should -Be $cert.Thumbprint
        $read[0].EndDateTime | Should -Be $cert.NotAfter.ToUniversalTime()
        $read[0].DisplayName | Should -Be 'CN=MgGraph test'
        # And as scripts write it: a hashtable with the base64 text.
        $params = @{ keyCredentials = @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [Convert]::ToBase64String($cert.RawData); displayName = 'renamed' }) }
        Update-MgApplication -ApplicationId $app.Id -BodyParameter $params -ErrorAction Stop
        (Get-MgApplication -ApplicationId $app.Id).KeyCredentials.DisplayName | Should -Be 'renamed'
    }

    It 'Microsoft Authenticator''s featureSettings update as the docs write them, merging into the defaults' {
        $params = @{
            '@odata.type'   = '#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration'
            featureSettings = @{
                displayAppInformationRequiredState = @{ state = 'enabled'; includeTarget = @{ targetType = 'group'; id = 'all_users' } }
            }
        }
        Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId MicrosoftAuthenticator -BodyParameter $params -ErrorAction Stop
        $c = Invoke-MgGraphRequest -Uri '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator'
        $c.featureSettings.displayAppInformationRequiredState.state | Should -Be 'enabled'
        # What the body left out keeps Microsoft's default.
        $c.featureSettings.displayAppInformationRequiredState.excludeTarget.id | Should -Be '00000000-0000-0000-0000-000000000000'
        $c.featureSettings.displayLocationInformationRequiredState.state | Should -Be 'default'
        # A property the type does not declare is still refused.
        { Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId MicrosoftAuthenticator -BodyParameter @{ '@odata.type' = '#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration'; noSuchSetting = 1 } -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*noSuchSetting*'
    }

    It 'Planner objects carry an @odata.etag that -IfMatch sends back; a stale one is refused with 412' {
        $g = New-MgGroup -DisplayName 'Planning' -MailEnabled -MailNickname planning -SecurityEnabled:$false -GroupTypes Unified -ErrorAction Stop
        $plan = New-MgPlannerPlan -BodyParameter @{ container = @{ url = "https://graph.microsoft.com/v1.0/groups/$($g.Id)" }; title = 'ETag plan' } -ErrorAction Stop
        $plan.AdditionalProperties['@odata.etag'] | Should -Match '^W/"'
        $task = New-MgPlannerTask -BodyParameter @{ planId = $plan.Id; title = 'First' } -ErrorAction Stop
        $etag = $task.AdditionalProperties['@odata.etag']
        (Get-MgPlannerTask -PlannerTaskId $task.Id).AdditionalProperties['@odata.etag'] | Should -Be $etag
        # As Microsoft's examples update a task: the ETag read last.
        Update-MgPlannerTask -PlannerTaskId $task.Id -IfMatch $etag -BodyParameter @{ title = 'Second' } -ErrorAction Stop
        $now = Get-MgPlannerTask -PlannerTaskId $task.Id
        $now.Title | Should -Be 'Second'
        $now.AdditionalProperties['@odata.etag'] | Should -Not -Be $etag
        $e = { Update-MgPlannerTask -PlannerTaskId $task.Id -IfMatch $etag -BodyParameter @{ title = 'Lost update' } -ErrorAction Stop } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match 'Status: 412'
        (Get-MgPlannerTask -PlannerTaskId $task.Id).Title | Should -Be 'Second'
        Remove-MgPlannerTask -PlannerTaskId $task.Id -IfMatch $now.AdditionalProperties['@odata.etag'] -Confirm:$false -ErrorAction Stop
        { Get-MgPlannerTask -PlannerTaskId $task.Id -ErrorAction Stop } | Should -Throw
    }

    It 'a plan''s tasks and buckets, a group''s plans and a user''s tasks list what was created, as scripts read them back' {
        $me = Get-MgUser -UserId admin@contoso.onmicrosoft.com
        $g = New-MgGroup -DisplayName 'Launch' -MailEnabled -MailNickname launch -SecurityEnabled:$false -GroupTypes Unified -ErrorAction Stop
        $plan = New-MgPlannerPlan -Container @{ url = "https://graph.microsoft.com/v1.0/groups/$($g.Id)" } -Title 'Launch plan' -ErrorAction Stop
        $plan.Container.ContainerId | Should -Be $g.Id
        $bucket = New-MgPlannerBucket -Name 'To do' -PlanId $plan.Id -ErrorAction Stop
        $assignments = @{ $me.Id = @{ '@odata.type' = '#microsoft.graph.plannerAssignment'; orderHint = ' !' } }
        $task = New-MgPlannerTask -PlanId $plan.Id -BucketId $bucket.Id -Title 'Book the venue' -Assignments $assignments -ErrorAction Stop
        (Get-MgPlannerPlanTask -PlannerPlanId $plan.Id).Id | Should -Be @($task.Id)
        (Get-MgPlannerPlanBucket -PlannerPlanId $plan.Id).Id | Should -Be @($bucket.Id)
        (Get-MgPlannerBucketTask -PlannerBucketId $bucket.Id).Id | Should -Be @($task.Id)
        (Get-MgGroupPlannerPlan -GroupId $g.Id).Id | Should -Be @($plan.Id)
        (Get-MgUserPlannerTask -UserId $me.Id).Id | Should -Contain $task.Id
    }

    It 'the docs'' draft-then-send example: New-MgUserMessage files a draft, Send-MgUserMessage delivers it' {
        $upn = 'admin@contoso.onmicrosoft.com'
        $to = (Get-MgUser -Top 2 | Where-Object UserPrincipalName -ne $upn | Select-Object -First 1).UserPrincipalName
        $params = @{
            subject      = 'Did you see last night''s game?'
            importance   = 'Low'
            body         = @{ contentType = 'HTML'; content = 'They were <b>awesome</b>!' }
            toRecipients = @(@{ emailAddress = @{ address = $to } })
        }
        $draft = New-MgUserMessage -UserId $upn -BodyParameter $params -ErrorAction Stop
        $draft.IsDraft | Should -BeTrue
        $draft.BodyPreview | Should -Be 'They were awesome!'
        (Get-MgUserMailFolderMessage -UserId $upn -MailFolderId drafts).Id | Should -Contain $draft.Id
        Send-MgUserMessage -UserId $upn -MessageId $draft.Id -ErrorAction Stop
        @(Get-MgUserMailFolderMessage -UserId $upn -MailFolderId drafts | Where-Object Id -eq $draft.Id) | Should -HaveCount 0
        $sent = @(Get-MgUserMailFolderMessage -UserId $upn -MailFolderId sentitems -Filter "subject eq 'Did you see last night''s game?'")
        $sent | Should -HaveCount 1
        $sent[0].IsDraft | Should -BeFalse
        $received = @(Get-MgUserMailFolderMessage -UserId $to -MailFolderId inbox -Filter "subject eq 'Did you see last night''s game?'")
        $received | Should -HaveCount 1
        $received[0].IsRead | Should -BeFalse
    }

    It 'an open extension inside a new message keeps its own members' {
        $params = @{
            subject    = 'Annual review'
            extensions = @(@{ '@odata.type' = 'microsoft.graph.openTypeExtension'; extensionName = 'Com.Contoso.Referral'; companyName = 'Wingtip Toys'; dealValue = 10000 })
        }
        $m = New-MgUserMessage -UserId admin@contoso.onmicrosoft.com -BodyParameter $params -ErrorAction Stop
        $ext = Get-MgUserMessageExtension -UserId admin@contoso.onmicrosoft.com -MessageId $m.Id
        $ext.AdditionalProperties['companyName'] | Should -Be 'Wingtip Toys'
        $ext.AdditionalProperties['dealValue'] | Should -Be 10000
    }
}

Describe 'What security suites and Microsoft''s examples call' {
    It 'a user''s default calendar is "Calendar", and the docs'' New-MgUserEvent example lands in it with its organizer' {
        $upn = 'admin@contoso.onmicrosoft.com'
        $calendar = Get-MgUserDefaultCalendar -UserId $upn -ErrorAction Stop
        $calendar.Name | Should -Be 'Calendar'
        $calendar.IsDefaultCalendar | Should -BeTrue
        (Get-MgUserCalendar -UserId $upn).Id | Should -Contain $calendar.Id
        $params = @{
            subject   = 'Let''s go for lunch'
            body      = @{ contentType = 'HTML'; content = 'Does next month work for you?' }
            start     = @{ dateTime = '2026-12-15T12:00:00'; timeZone = 'Pacific Standard Time' }
            end       = @{ dateTime = '2026-12-15T14:00:00'; timeZone = 'Pacific Standard Time' }
            location  = @{ displayName = 'Harry''s Bar' }
            attendees = @(@{ emailAddress = @{ address = 'samanthab@contoso.com'; name = 'Samantha Booth' }; type = 'required' })
        }
        $e = New-MgUserEvent -UserId $upn -BodyParameter $params -ErrorAction Stop
        $e.Organizer.EmailAddress.Address | Should -Be $upn
        $e.OriginalStartTimeZone | Should -Be 'Pacific Standard Time'
        $e.Attendees[0].Status.Response | Should -Be 'none'
        (Get-MgUserDefaultCalendarEvent -UserId $upn).Id | Should -Contain $e.Id
        (Get-MgUserCalendarEvent -UserId $upn -CalendarId $calendar.Id).Id | Should -Contain $e.Id
    }

    It 'the docs'' authentication context example creates it with Update-, as Graph''s PATCH does for an unused id' {
        $params = @{ displayName = 'Contoso medium'; description = 'Medium protection level defined for Contoso policy'; isAvailable = $true }
        Update-MgIdentityConditionalAccessAuthenticationContextClassReference -AuthenticationContextClassReferenceId c7 -BodyParameter $params -ErrorAction Stop
        $c = Get-MgIdentityConditionalAccessAuthenticationContextClassReference -AuthenticationContextClassReferenceId c7 -ErrorAction Stop
        $c.DisplayName | Should -Be 'Contoso medium'
        $c.IsAvailable | Should -BeTrue
    }

    It 'an admin confirming a user compromised makes it a high-risk user that security scripts list, and dismissing clears it' {
        $u = Get-MgUser -Top 5 | Where-Object UserPrincipalName -ne 'admin@contoso.onmicrosoft.com' | Select-Object -First 1
        Confirm-MgRiskyUserCompromised -UserIds @($u.Id) -ErrorAction Stop
        $risky = @(Get-MgRiskyUser -Filter "riskLevel eq 'high'" -All)
        $risky.Id | Should -Contain $u.Id
        ($risky | Where-Object Id -eq $u.Id).RiskState | Should -Be 'confirmedCompromised'
        Invoke-MgDismissRiskyUser -UserIds @($u.Id) -ErrorAction Stop
        (Get-MgRiskyUser -RiskyUserId $u.Id).RiskLevel | Should -Be 'none'
        @(Get-MgRiskyUserHistory -RiskyUserId $u.Id) | Should -HaveCount 2
    }

    It 'the docs'' dynamic group example takes its members from the rule, and follows a user''s change' {
        $u = Get-MgUser -Top 5 | Where-Object UserPrincipalName -ne 'admin@contoso.onmicrosoft.com' | Select-Object -First 1
        Update-MgUser -UserId $u.Id -Department 'Marketing' -ErrorAction Stop
        $g = New-MgGroup -DisplayName 'Marketing' -MailEnabled:$false -MailNickname 'marketing' -SecurityEnabled -GroupTypes 'DynamicMembership' -MembershipRule 'user.department -eq "Marketing"' -MembershipRuleProcessingState 'On' -ErrorAction Stop
        (Get-MgGroupMember -GroupId $g.Id).Id | Should -Be @($u.Id)
        Update-MgUser -UserId $u.Id -Department 'Finance' -ErrorAction Stop
        @(Get-MgGroupMember -GroupId $g.Id) | Should -HaveCount 0
    }

    It 'a user''s OneDrive takes a folder and an upload, read back by path, as file scripts use it' {
        $upn = 'admin@contoso.onmicrosoft.com'
        $drive = Get-MgUserDefaultDrive -UserId $upn -ErrorAction Stop
        $drive.DriveType | Should -Be 'business'
        (Get-MgDrive -DriveId $drive.Id).Id | Should -Be $drive.Id
        $root = Get-MgDriveRoot -DriveId $drive.Id -ErrorAction Stop
        $folder = New-MgDriveItemChild -DriveId $drive.Id -DriveItemId $root.Id -BodyParameter @{ name = 'Reports'; folder = @{}; '@microsoft.graph.conflictBehavior' = 'fail' } -ErrorAction Stop
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-upload-$PID.txt"
        Set-Content -LiteralPath $file -Value 'quarterly numbers' -NoNewline
        try {
            # As in the SDK, the upload outputs the drive item it made.
            $uploaded = Set-MgDriveItemContent -DriveId $drive.Id -DriveItemId "$($folder.Id):/q4.txt:" -InFile $file -ErrorAction Stop
            $uploaded | Should -BeOfType Microsoft.Graph.PowerShell.Models.MicrosoftGraphDriveItem
            $uploaded.Name | Should -Be 'q4.txt'
            (Get-MgDriveItemChild -DriveId $drive.Id -DriveItemId $folder.Id).Id | Should -Be @($uploaded.Id)
            (Get-Command Set-MgDriveItemContent).OutputType.Name | Should -Contain 'Microsoft.Graph.PowerShell.Models.IMicrosoftGraphDriveItem'
            (Get-Command Set-MgUserPhotoContent).Parameters.Keys | Should -Contain 'PassThru'
            $out = "$file.back"
            Get-MgDriveItemContent -DriveId $drive.Id -DriveItemId $uploaded.Id -OutFile $out -ErrorAction Stop
            Get-Content -LiteralPath $out -Raw | Should -Be 'quarterly numbers'
            (Invoke-MgGraphRequest -Uri "/v1.0/users/$upn/drive/root:/Reports/q4.txt" -ErrorAction Stop).id | Should -Be $uploaded.Id
        }
        finally { Remove-Item -LiteralPath $file, "$file.back" -ErrorAction SilentlyContinue }
    }

    It 'PIM requests change who holds a role: assign, refuse twice, remove; make eligible, then activate' {
        $u = New-MgUser -DisplayName 'PIM user' -MailNickname pimuser -UserPrincipalName "pimuser@$((Get-MgDomain | Where-Object IsDefault).Id)" -AccountEnabled -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d' } -ErrorAction Stop
        $role = 'fdd7a751-b60b-444a-984c-02652fe8fa1c'   # Groups Administrator
        $held = { @(Get-MgRoleManagementDirectoryRoleAssignment -Filter "principalId eq '$($u.Id)'").Count }
        # As Microsoft's example assigns a role for 60 days.
        $params = @{ action = 'adminAssign'; justification = 'Assign Groups Admin'; roleDefinitionId = $role; directoryScopeId = '/'; principalId = $u.Id
            scheduleInfo = @{ startDateTime = [DateTime]::UtcNow; expiration = @{ type = 'afterDateTime'; endDateTime = [DateTime]::UtcNow.AddDays(60) } } }
        $r = New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -BodyParameter $params -ErrorAction Stop
        $r.Status | Should -Be 'Provisioned'
        $r.TargetScheduleId | Should -Not -BeNullOrEmpty
        & $held | Should -Be 1
        { New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -BodyParameter $params -ErrorAction Stop } | Should -Throw -ExpectedMessage '*RoleAssignmentExists*'
        $params.action = 'adminRemove'
        (New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -BodyParameter $params -ErrorAction Stop).Status | Should -Be 'Revoked'
        & $held | Should -Be 0
        # Activation needs an eligibility first.
        $activate = @{ action = 'selfActivate'; justification = 'Need it'; roleDefinitionId = $role; directoryScopeId = '/'; principalId = $u.Id
            scheduleInfo = @{ startDateTime = [DateTime]::UtcNow; expiration = @{ type = 'afterDuration'; duration = 'PT4H' } } }
        { New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -BodyParameter $activate -ErrorAction Stop } | Should -Throw -ExpectedMessage '*RoleEligibilityScheduleNotFound*'
        $eligible = @{ action = 'adminAssign'; justification = 'Eligible'; roleDefinitionId = $role; directoryScopeId = '/'; principalId = $u.Id
            scheduleInfo = @{ startDateTime = [DateTime]::UtcNow; expiration = @{ type = 'afterDuration'; duration = 'P365D' } } }
        (New-MgRoleManagementDirectoryRoleEligibilityScheduleRequest -BodyParameter $eligible -ErrorAction Stop).Status | Should -Be 'Provisioned'
        @(Get-MgRoleManagementDirectoryRoleEligibilitySchedule -Filter "principalId eq '$($u.Id)'").Count | Should -Be 1
        (New-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -BodyParameter $activate -ErrorAction Stop).Status | Should -Be 'Provisioned'
        & $held | Should -Be 1
        (Get-MgUserMemberOf -UserId $u.Id -All).AdditionalProperties.roleTemplateId | Should -Contain $role
    }

    It 'an access package assignment request takes the assignment it asks for inline, as the docs write it' {
        $u = Get-MgUser -UserId (Get-MgContext).Account
        $cat = New-MgEntitlementManagementCatalog -DisplayName 'Requests catalog' -ErrorAction Stop
        $ap = New-MgEntitlementManagementAccessPackage -BodyParameter @{ displayName = 'Requests package'; catalog = @{ id = $cat.Id } } -ErrorAction Stop
        $pol = New-MgEntitlementManagementAssignmentPolicy -BodyParameter @{ displayName = 'Direct'; accessPackage = @{ id = $ap.Id }; allowedTargetScope = 'allMemberUsers' } -ErrorAction Stop
        $params = @{ requestType = 'adminAdd'; assignment = @{ targetId = $u.Id; assignmentPolicyId = $pol.Id; accessPackageId = $ap.Id } }
        $r = New-MgEntitlementManagementAssignmentRequest -BodyParameter $params -ErrorAction Stop
        $r.RequestType | Should -Be 'adminAdd'
        (Invoke-MgGraphRequest -Uri "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/$($r.Id)").assignment.accessPackageId | Should -Be $ap.Id
    }

    It 'a user''s memberOf lists the administrative units it is a member of, and casts to them' {
        $u = New-MgUser -DisplayName 'AU member' -MailNickname aumember -UserPrincipalName "aumember@$((Get-MgDomain | Where-Object IsDefault).Id)" -AccountEnabled -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d' } -ErrorAction Stop
        $au = New-MgDirectoryAdministrativeUnit -DisplayName 'Seattle office' -ErrorAction Stop
        New-MgDirectoryAdministrativeUnitMemberByRef -AdministrativeUnitId $au.Id -BodyParameter @{ '@odata.id' = "https://graph.microsoft.com/v1.0/users/$($u.Id)" } -ErrorAction Stop
        $of = @(Get-MgUserMemberOf -UserId $u.Id -All)
        ($of | Where-Object Id -EQ $au.Id).AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.administrativeUnit'
        @(Get-MgUserMemberOfAsAdministrativeUnit -UserId $u.Id).DisplayName | Should -Be @('Seattle office')
        Remove-MgDirectoryAdministrativeUnitMemberDirectoryObjectByRef -AdministrativeUnitId $au.Id -DirectoryObjectId $u.Id -ErrorAction Stop
        @(Get-MgUserMemberOf -UserId $u.Id -All | Where-Object Id -EQ $au.Id).Count | Should -Be 0
    }

    It 'the named-location example''s PascalCase keys reach Graph by the derived type''s names' {
        # New-MgIdentityConditionalAccessNamedLocation, example 2, as the docs write it.
        $params = @{
            '@odata.type' = '#microsoft.graph.ipNamedLocation'
            DisplayName   = 'Untrusted IP named location'
            IsTrusted     = $false
            IpRanges      = @(
                @{ '@odata.type' = '#microsoft.graph.iPv4CidrRange'; CidrAddress = '12.34.221.11/22' }
                @{ '@odata.type' = '#microsoft.graph.iPv6CidrRange'; CidrAddress = '2001:0:9d38:90d6:0:0:0:0/63' }
            )
        }
        $loc = New-MgIdentityConditionalAccessNamedLocation -BodyParameter $params -ErrorAction Stop
        $raw = Invoke-MgGraphRequest -Uri "/v1.0/identity/conditionalAccess/namedLocations/$($loc.Id)"
        $raw.ipRanges.cidrAddress | Should -Be @('12.34.221.11/22', '2001:0:9d38:90d6:0:0:0:0/63')
        @($raw.ipRanges[0].Keys) -ccontains 'CidrAddress' | Should -BeFalse -Because 'the key is sent by its wire name only'
        $raw.isTrusted | Should -BeFalse
    }

    It 'beta directory settings (ScubaGear''s Get-MgBetaDirectorySetting) are made, read, changed and removed' {
        $template = Get-MgBetaDirectorySettingTemplate | Where-Object DisplayName -eq 'Group.Unified'
        $template | Should -Not -BeNullOrEmpty
        $s = New-MgBetaDirectorySetting -TemplateId $template.Id -Values @(@{ Name = 'EnableGroupCreation'; Value = 'false' }) -ErrorAction Stop
        $s.DisplayName | Should -Be 'Group.Unified'
        (Get-MgBetaDirectorySetting | Where-Object Id -eq $s.Id).Values[0].Value | Should -Be 'false'
        Update-MgBetaDirectorySetting -DirectorySettingId $s.Id -Values @(@{ Name = 'EnableGroupCreation'; Value = 'true' })
        (Get-MgBetaDirectorySetting -DirectorySettingId $s.Id).Values[0].Value | Should -Be 'true'
        Remove-MgBetaDirectorySetting -DirectorySettingId $s.Id -Confirm:$false
        @(Get-MgBetaDirectorySetting | Where-Object Id -eq $s.Id).Count | Should -Be 0
        (Get-Command Get-MgBetaDirectorySetting).Module.Name | Should -Be 'Microsoft.Graph.Beta.Identity.DirectoryManagement'
    }
}

Describe 'The SDK''s runtime parameters (-Proxy, -Break, -HttpPipelineAppend...)' {
    BeforeAll {
        $script:Runtime = [ordered]@{
            Break                      = 'System.Management.Automation.SwitchParameter'
            HttpPipelineAppend         = 'Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[]'
            HttpPipelinePrepend        = 'Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[]'
            Proxy                      = 'System.Uri'
            ProxyCredential            = 'System.Management.Automation.PSCredential'
            ProxyUseDefaultCredentials = 'System.Management.Automation.SwitchParameter'
        }
    }

    It 'every generated cmdlet has them, typed as the SDK types them, hidden as the SDK hides them' -ForEach @(
        @{ Name = 'Get-MgUser' }, @{ Name = 'New-MgGroup' }, @{ Name = 'Remove-MgBetaApplication' }, @{ Name = 'Set-MgUserLicense' }
    ) {
        $command = Get-Command $Name
        foreach ($p in $Runtime.Keys) {
            $command.Parameters.ContainsKey($p) | Should -BeTrue -Because "$Name -$p"
            $command.Parameters[$p].ParameterType.FullName | Should -Be $Runtime[$p]
            $command.Parameters[$p].Attributes.Where({ $_ -is [Parameter] }).DontShow | Should -Not -Contain $false
        }
        (Get-Help $Name -Parameter Proxy).type.name | Should -Be 'Uri' -Because 'help lists them, whether it comes from a help file or from the metadata'
        (Get-Help $Name -Parameter Break).name | Should -Be 'Break'
        $completions = (TabExpansion2 -inputScript "$Name -Prox" -cursorColumn ("$Name -Prox").Length).CompletionMatches
        @($completions | ForEach-Object CompletionText) | Should -Not -Contain '-Proxy' -Because 'DontShow parameters are not offered'
        @($completions | ForEach-Object CompletionText) | Should -Not -Contain '-ProxyCredential'
    }

    Context 'with no retries (a refused connection is otherwise retried)' {
        BeforeAll {
            $script:MaxRetry = (Get-MgRequestContext).MaxRetry
            Set-MgRequestContext -MaxRetry 0 | Out-Null
        }
        AfterAll { Set-MgRequestContext -MaxRetry $script:MaxRetry | Out-Null }

        It '-Proxy sends the call through the proxy: an unreachable one fails the call, which works without it' {
            { Get-MgUser -Top 1 -Proxy 'http://127.0.0.1:9' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*through the proxy http://127.0.0.1:9*'
            @(Get-MgUser -Top 1 -ErrorAction Stop).Count | Should -Be 1
        }

        It 'a -ProxyCredential password is in no stream, and -ProxyUseDefaultCredentials says what it cannot do' {
            $credential = [pscredential]::new('corp\ann', (ConvertTo-SecureString 'Pr0xyS3cret!' -AsPlainText -Force))
            $out = Get-MgUser -Top 1 -Proxy 'http://127.0.0.1:9' -ProxyCredential $credential -Verbose -Debug -ErrorAction SilentlyContinue -ErrorVariable failed 4>&1 5>&1 3>&1 6>&1 | Out-String
            ($out + ($failed | Out-String)) | Should -Not -Match 'Pr0xyS3cret'
            $failed.Count | Should -BeGreaterThan 0
            $verbose = Get-MgUser -Top 1 -ProxyUseDefaultCredentials -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose.Message -join "`n") | Should -Match '-ProxyUseDefaultCredentials: .*cannot present'
        }
    }

    It 'a -Proxy that is not an http(s) URI stops the command, naming it, with nothing sent' {
        $err = $null
        try { New-MgGroup -DisplayName 'Proxy check' -MailEnabled:$false -MailNickname proxycheck -SecurityEnabled -Proxy 'ftp://proxy.corp' -ErrorAction Stop }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match "-Proxy: 'ftp://proxy\.corp' is not an http:// or https:// URI"
        @(Get-MgGroup -Filter "displayName eq 'Proxy check'").Count | Should -Be 0
    }

    It '-HttpPipelineAppend and -HttpPipelinePrepend stop the command with an error naming them; nothing is sent' -ForEach @(
        @{ Parameter = 'HttpPipelineAppend' }, @{ Parameter = 'HttpPipelinePrepend' }
    ) {
        $step = [Microsoft.Graph.PowerShell.Runtime.SendAsyncStep] { param($request, $callback, $next) $next.SendAsync($request, $callback) }
        $splat = @{ DisplayName = "Pipeline $Parameter"; MailEnabled = $false; MailNickname = "pipeline$Parameter"; SecurityEnabled = $true; $Parameter = @($step) }
        $err = $null
        try { New-MgGroup @splat -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Match '^HttpPipelineStepsNotSupported'
        $err.CategoryInfo.Category | Should -Be 'NotImplemented'
        $err.Exception.Message | Should -Match "^-$Parameter`: "
        @(Get-MgGroup -Filter "displayName eq 'Pipeline $Parameter'").Count | Should -Be 0
    }

    It '-Break waits for a debugger, saying so, and Ctrl+C ends the wait with nothing sent' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1')'
            New-MgGroup -DisplayName 'Break wait' -MailEnabled:`$false -MailNickname breakwait -SecurityEnabled -Break")
        $handle = $ps.BeginInvoke()
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ($ps.Streams.Warning.Count -eq 0 -and -not $handle.IsCompleted -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $ps.Streams.Warning[0].Message | Should -Match 'waiting for a \.NET debugger to attach to process \d+'
        Start-Sleep -Milliseconds 300
        $handle.IsCompleted | Should -BeFalse -Because 'it waits until a debugger attaches'
        $ps.Stop()
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
        @(Get-MgGroup -Filter "displayName eq 'Break wait'").Count | Should -Be 0
    }
}

Describe 'Parameters as the SDK''s pages show them' {
    It '-ObjectId is -ApplicationId in the Applications modules' {
        $app = New-MgApplication -DisplayName 'ObjectId alias'
        (Get-MgApplication -ObjectId $app.Id).DisplayName | Should -Be 'ObjectId alias'
        $secret = Add-MgApplicationPassword -ObjectId $app.Id -PasswordCredential @{ DisplayName = 'alias' }
        $secret.DisplayName | Should -Be 'alias'
        (Get-MgBetaApplication -ObjectId $app.Id).Id | Should -Be $app.Id
        (Get-Command Get-MgServicePrincipal).Parameters['ServicePrincipalId'].Aliases | Should -BeNullOrEmpty
    }

    It 'Get-MgDirectoryRole takes -Top (the demo tenant''s licences: DemoTenant.Tests.ps1)' {
        $null = New-MgDirectoryRole -RoleTemplateId 'fe930be7-5e62-47db-91af-98c3a49a38b1' -ErrorAction SilentlyContinue
        @(Get-MgDirectoryRole).Count | Should -BeGreaterThan 0
        @(Get-MgDirectoryRole -Top 1).Count | Should -Be 1
    }

    It 'Set-*ByRef takes -OdataType beside -OdataId' {
        $users = @(Get-MgUser -Top 2)
        Set-MgUserManagerByRef -UserId $users[0].Id -OdataId "https://graph.microsoft.com/v1.0/users/$($users[1].Id)" -OdataType '#microsoft.graph.user'
        (Get-MgUserManager -UserId $users[0].Id).Id | Should -Be $users[1].Id
    }
}
