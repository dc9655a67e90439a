Set-StrictMode -Version Latest

# The compiled model classes (module/Microsoft.Graph.Authentication/bin/MgGraph.Models.dll,
# MgGraph.Models.Beta.dll; runtime in MgGraph.Core.dll): every SDK model class and interface
# exists as soon as an SDK-named module is imported, converts from hashtables, PSObjects and
# JSON text as the SDK's type converters do (undeclared keys into AdditionalProperties), and
# reads and writes JSON as the SDK does.

BeforeDiscovery {
    $root = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
    # Every SDK-named module that has compiled cmdlets (module/<Name>/<Name>.dll).
    $script:SdkModules = @(Get-ChildItem $root -Directory -Filter 'Microsoft.Graph.*' |
            Where-Object { Test-Path (Join-Path $_.FullName "$($_.Name).dll") } |
            Sort-Object Name | ForEach-Object { @{ Module = $_.Name } })
}

BeforeAll {
    $script:ModuleRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
    $script:Bin = Join-Path $script:ModuleRoot 'Microsoft.Graph.Authentication/bin'
    $script:Sep = [IO.Path]::PathSeparator
    foreach ($dll in 'MgGraph.Core.dll', 'MgGraph.Models.dll', 'MgGraph.Models.Beta.dll') {
        if (-not (Test-Path (Join-Path $script:Bin $dll))) {
            throw "$dll is not built in $script:Bin: run the build (.ci/build) first."
        }
    }
    $env:PSModulePath = $script:ModuleRoot + $script:Sep + $env:PSModulePath
    Import-Module Microsoft.Graph.Authentication -Force
    $script:V1 = 'Microsoft.Graph.PowerShell.Models'
    $script:Beta = 'Microsoft.Graph.Beta.PowerShell.Models'

    function Invoke-FreshPwsh {
        # Runs a script in a fresh pwsh whose module path starts with the checkout's module/;
        # the script's last output is JSON, returned parsed (as hashtables).
        param([string] $Script, [string[]] $Arguments = @())
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-models-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value $Script
        try {
            $command = "`$env:PSModulePath = '$($script:ModuleRoot)$($script:Sep)' + `$env:PSModulePath; & '$file' $($Arguments -join ' ')"
            $out = @(pwsh -NoProfile -NonInteractive -Command $command 2>&1 | ForEach-Object { "$_" })
            if ($LASTEXITCODE -ne 0) { throw "the child pwsh failed ($LASTEXITCODE): $($out -join "`n")" }
            ($out -join "`n") | ConvertFrom-Json -AsHashtable
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }

    # The child script: imports the SDK-named modules one by one and, right after each import
    # (before the next, and without calling any cmdlet), names that module's sample model
    # classes and interfaces and casts a hashtable with an undeclared key to each.
    $script:NameAndCast = @'
param([string] $SamplesPath)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$samples = Get-Content $SamplesPath -Raw | ConvertFrom-Json -AsHashtable
$loadedBefore = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'MgGraph.Models*' }).Count
$results = [ordered]@{}
foreach ($module in @($samples.Keys | Sort-Object)) {
    Import-Module $module
    $failures = [System.Collections.Generic.List[string]]::new()
    $named = 0
    foreach ($name in $samples[$module]) {
        $type = $name -as [type]
        if ($null -eq $type) { $failures.Add("Unable to find type [$name]"); continue }
        $named++
        try {
            $value = [System.Management.Automation.LanguagePrimitives]::ConvertTo(@{ MgTestExtra = 7 }, $type)
            $class = $name -replace '\.I(MicrosoftGraph[^.]*)$', '.$1'
            if ($value.GetType().FullName -ne $class) { $failures.Add("[$name] cast gave $($value.GetType().FullName)") }
            elseif ($value.AdditionalProperties['MgTestExtra'] -ne 7) { $failures.Add("[$name] cast lost the undeclared key") }
        }
        catch { $failures.Add("[$name] cast failed: $($_.Exception.Message)") }
    }
    $results[$module] = @{ Named = $named; Failures = @($failures) }
}
@{ LoadedBefore = $loadedBefore; Modules = $results } | ConvertTo-Json -Depth 5 -Compress
'@

    # Samples: per module, the model types its cmdlets output and take as -BodyParameter
    # (interfaces), with their classes; found in this process, checked in a fresh one.
    # (Discovery's variables are not the run's: the module list is read again.)
    $script:Samples = [ordered]@{}
    $modules = Get-ChildItem $script:ModuleRoot -Directory -Filter 'Microsoft.Graph.*' |
        Where-Object { Test-Path (Join-Path $_.FullName "$($_.Name).dll") } | Sort-Object Name
    foreach ($name in $modules.Name) {
        Import-Module $name
        $types = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal)
        foreach ($c in Get-Command -Module $name -CommandType Cmdlet) {
            foreach ($t in $c.OutputType) { if ($t.Name -match '\.Models\.IMicrosoftGraph') { $null = $types.Add($t.Name) } }
            $body = $c.Parameters['BodyParameter']
            if ($body -and $body.ParameterType.FullName -match '\.Models\.IMicrosoftGraph') { $null = $types.Add($body.ParameterType.FullName) }
        }
        $all = @($types)
        # First, middle and last: a spread, not the first three of the alphabet.
        $pick = @(if ($all.Count -le 3) { $all } else { $all[0], $all[[int]($all.Count / 2)], $all[-1] })
        $script:Samples[$name] = @(foreach ($i in $pick) { $i; $i -replace '\.I(MicrosoftGraph[^.]*)$', '.$1' })
    }
}

Describe 'Model types at import, in a fresh process' {
    BeforeAll {
        $path = Join-Path ([IO.Path]::GetTempPath()) "mggraph-model-samples-$PID.json"
        $script:Samples | ConvertTo-Json -Depth 3 | Set-Content $path
        try { $script:Fresh = Invoke-FreshPwsh $script:NameAndCast @("'$path'") }
        finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'the model assemblies are not loaded before a module is imported' {
        $script:Fresh['LoadedBefore'] | Should -Be 0
    }

    It 'most modules have model samples' {
        $with = @($script:Samples.Values | Where-Object { @($_).Count -gt 0 }).Count
        $with | Should -BeGreaterThan ($script:Samples.Count * 0.8)
    }

    It '<Module>: its model classes and interfaces exist right after its import, and cast with extra keys' -ForEach $script:SdkModules {
        $r = $script:Fresh['Modules'][$Module]
        @($r['Failures']) | Should -BeNullOrEmpty
        $r['Named'] | Should -Be @($script:Samples[$Module]).Count
    }

    It 'the types scripts name in a fresh session exist after importing one module (v1.0 and beta)' {
        $r = Invoke-FreshPwsh @'
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Users
$i = [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphInvitedUserMessageInfo]@{ customizedMessageBody = 'Welcome'; messageLanguage = 'en-US'; notInTheModel = 1 }
$d = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject]@{ id = '1'; '@odata.type' = '#microsoft.graph.user' }
$u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ DisplayName = 'x'; extra = 1 }
Import-Module Microsoft.Graph.Beta.Users
$b = [Microsoft.Graph.Beta.PowerShell.Models.IMicrosoftGraphUser]@{ displayName = 'b'; extra = 2 }
@{
    Invited = $i.GetType().FullName; Body = $i.CustomizedMessageBody; Extra = $i.AdditionalProperties['notInTheModel']
    DirectoryObject = $d.Id; OdataType = $d.AdditionalProperties['@odata.type']
    UserIsDirectoryObject = $u -is [Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject]
    UserIsInterface = $u -is [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphDirectoryObject]
    Beta = $b.GetType().FullName; BetaExtra = $b.AdditionalProperties['extra']
} | ConvertTo-Json -Compress
'@
        $r['Invited'] | Should -Be 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphInvitedUserMessageInfo'
        $r['Body'] | Should -Be 'Welcome'
        $r['Extra'] | Should -Be 1
        $r['DirectoryObject'] | Should -Be '1'
        $r['OdataType'] | Should -Be '#microsoft.graph.user'
        $r['UserIsDirectoryObject'] | Should -BeTrue
        $r['UserIsInterface'] | Should -BeTrue
        $r['Beta'] | Should -Be 'Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUser'
        $r['BetaExtra'] | Should -Be 2
    }
}

Describe 'The SDK''s classes of action parameters and results' {
    It 'exist in a fresh session by the SDK''s names, as modules built on the SDK create them' {
        $r = Invoke-FreshPwsh @'
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Users.Actions
# As Microsoft.Entra's Revoke-EntraSignedInUserAllRefreshToken wraps the answer.
$revoked = New-Object Microsoft.Graph.PowerShell.Models.ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema
$revoked.Value = $true
$license = [Microsoft.Graph.PowerShell.Models.IComponents103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema]@{
    addLicenses = @(@{ skuId = '6fd2c87f-b296-42f0-b197-1e91e994b900' }); removeLicenses = @(); notInTheModel = 1 }
Import-Module Microsoft.Graph.Beta.Groups
$group = [Microsoft.Graph.Beta.PowerShell.Models.Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema]::new()
@{
    Revoked = $revoked.Value; RevokedIsInterface = $revoked -is [Microsoft.Graph.PowerShell.Models.IComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema]
    License = $license.GetType().Name; Sku = "$($license.AddLicenses[0].SkuId)"; Extra = $license.AdditionalProperties['notInTheModel']
    Json = $license.ToJsonString()
    UserBody = (Get-Command Set-MgUserLicense).Parameters['BodyParameter'].ParameterType.FullName
    GroupBody = (Get-Command Set-MgBetaGroupLicense).Parameters['BodyParameter'].ParameterType.FullName
    Group = $group.GetType().FullName
} | ConvertTo-Json -Compress
'@
        $r['Revoked'] | Should -BeTrue
        $r['RevokedIsInterface'] | Should -BeTrue
        $r['License'] | Should -Be 'Components103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema'
        $r['Sku'] | Should -Be '6fd2c87f-b296-42f0-b197-1e91e994b900'
        $r['Extra'] | Should -Be 1
        # The SDK's JSON: wire names, nulls left out, the undeclared key kept.
        $r['Json'] | Should -Match '"addLicenses":\[\{"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900"\}\]'
        $r['Json'] | Should -Match '"notInTheModel":1'
        # assignLicense on a user is one component (users and me); on a group, inline on its path.
        $r['UserBody'] | Should -Be 'Microsoft.Graph.PowerShell.Models.IComponents103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema'
        $r['GroupBody'] | Should -Be 'Microsoft.Graph.Beta.PowerShell.Models.IPaths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema'
        $r['Group'] | Should -Be 'Microsoft.Graph.Beta.PowerShell.Models.Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema'
    }
}

Describe 'The SDK''s factories on every model class' {
    It 'DeserializeFromDictionary, DeserializeFromPSObject and FromJsonString convert as a cast does' {
        # As public scripts write them (a manifest read with ConvertFrom-Json -AsHashtable).
        $claims = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphOptionalClaims]::DeserializeFromDictionary(@{
                Saml2Token = @(@{ Name = 'acct' }, @{ Name = 'groups'; Essential = $true })
            })
        $claims | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphOptionalClaims])
        @($claims.Saml2Token).Name | Should -Be @('acct', 'groups')
        $claims.Saml2Token[1].Essential | Should -BeTrue
        $member = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject]::DeserializeFromDictionary(@{ id = '42'; extra = 1 })
        $member.Id | Should -Be '42'
        $member.AdditionalProperties['extra'] | Should -Be 1
        $app = [Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphApplication]::DeserializeFromPSObject([pscustomobject]@{ displayName = 'App' })
        $app.GetType().FullName | Should -Be 'Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphApplication'
        $app.DisplayName | Should -Be 'App'
        $user = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]::FromJsonString('{"displayName":"A","accountEnabled":false}')
        $user.DisplayName | Should -Be 'A'
        $user.AccountEnabled | Should -BeFalse
        [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]::DeserializeFromDictionary($null) | Should -BeNullOrEmpty
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]::DeserializeFromDictionary(@{ accountEnabled = 'maybe' }) } |
            Should -Throw -ExpectedMessage '*accountEnabled*'
    }
}

Describe 'Conversion to a model, as the SDK''s type converters convert' {
    It 'keeps undeclared keys in AdditionalProperties and matches declared ones in any case' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ displayname = 'x'; Extra = 1; AccountEnabled = $true }
        $u.DisplayName | Should -Be 'x'
        $u.AccountEnabled | Should -BeTrue
        $u.AdditionalProperties['Extra'] | Should -Be 1
        $u.AdditionalProperties.Count | Should -Be 1
    }

    It 'converts values to the property types (''false'' is false, numeric strings, byte[] as base64)' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ accountEnabled = 'false'; onPremisesImmutableId = [byte[]](1, 2, 3); businessPhones = '555' }
        $u.AccountEnabled | Should -BeFalse
        $u.AccountEnabled | Should -BeOfType [bool]
        $u.OnPremisesImmutableId | Should -Be 'AQID'
        , $u.BusinessPhones | Should -BeOfType [string[]]
        $u.BusinessPhones | Should -Be @('555')
        $t = [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphTemporaryAccessPassAuthenticationMethod]@{ lifetimeInMinutes = '60'; isUsableOnce = 'True'; startDateTime = '2024-01-02T03:04:05Z' }
        $t.LifetimeInMinutes | Should -Be 60
        $t.LifetimeInMinutes | Should -BeOfType [int]
        $t.IsUsableOnce | Should -BeTrue
        $t.StartDateTime | Should -Be ([datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc))
    }

    It 'types Edm.Binary properties byte[], as the SDK does, from bytes, base64 text or a list of numbers' {
        $k = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]::new()
        $k.Key = [byte[]](1, 2, 3)
        , $k.Key | Should -BeOfType [byte[]]
        $k.CustomKeyIdentifier = [System.Text.Encoding]::UTF8.GetBytes('thumb')
        $k.ToJsonString() | ConvertFrom-Json | ForEach-Object { $_.key; $_.customKeyIdentifier } | Should -Be @('AQID', 'dGh1bWI=')
        ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]@{ key = 'AQID' }).Key | Should -Be @(1, 2, 3)
        ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]@{ key = @(4, 5) }).Key | Should -Be @(4, 5)
        # base64url (OData's Edm.Binary literal) reads too.
        ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]@{ key = '-_8' }).Key | Should -Be @(251, 255)
        ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphFileAttachment]::new().GetType().GetProperty('ContentBytes').PropertyType) | Should -Be ([byte[]])
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]@{ key = 'not base64!' } } | Should -Throw -ExpectedMessage '*.key*not base64*'
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential]@{ key = @(1, 300) } } | Should -Throw -ExpectedMessage '*.key*300*'
    }

    It 'refuses what the SDK also refuses, naming the path' {
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ passwordProfile = @{ forceChangePasswordNextSignIn = 'maybe' } } } |
            Should -Throw -ExpectedMessage '*.passwordProfile.forceChangePasswordNextSignIn*boolean*'
    }

    It 'says what a -BodyParameter that is no object is: a JSON array, empty text, a number' {
        foreach ($case in @(
                @{ Value = '[1,2]'; Says = '*is a JSON array, not a JSON object*' },
                @{ Value = ''; Says = '*the text is empty*' },
                @{ Value = 42; Says = '*is a System.Int32, not a dictionary or an object*' })) {
            { Set-MgUserLicense -UserId x -BodyParameter $case.Value -WhatIf -ErrorAction Stop } |
                Should -Throw -ExpectedMessage $case.Says
        }
    }

    It 'converts nested dictionaries and arrays of them to nested models' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{
            passwordProfile  = @{ password = 'p'; forceChangePasswordNextSignIn = 'true'; other = 'o' }
            assignedLicenses = @(@{ skuId = 'a' }, [ordered]@{ skuId = 'b'; extra = 1 })
        }
        $u.PasswordProfile | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphPasswordProfile])
        $u.PasswordProfile.ForceChangePasswordNextSignIn | Should -BeTrue
        $u.PasswordProfile.AdditionalProperties['other'] | Should -Be 'o'
        $u.AssignedLicenses.Count | Should -Be 2
        $u.AssignedLicenses[1] | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphAssignedLicense])
        $u.AssignedLicenses[1].SkuId | Should -Be 'b'
        $u.AssignedLicenses[1].AdditionalProperties['extra'] | Should -Be 1
    }

    It 'converts a PSObject, JSON text, and another model' {
        $p = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]([pscustomobject]@{ DisplayName = 'ps'; Other = 2 })
        $p.DisplayName | Should -Be 'ps'
        $p.AdditionalProperties['Other'] | Should -Be 2
        $j = [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphUser]'{"displayName":"j","accountEnabled":"false","x":{"a":1}}'
        $j.DisplayName | Should -Be 'j'
        $j.AccountEnabled | Should -BeFalse
        $j.AdditionalProperties['x']['a'] | Should -Be 1
        $g = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphGroup]$p
        $g.DisplayName | Should -Be 'ps'
        $g.AdditionalProperties['Other'] | Should -Be 2
    }

    It 'drops a null for an undeclared key, as the SDK''s CopyFrom does (Graph refuses the property)' {
        # Microsoft.Entra's New-EntraConditionalAccessPolicy builds such a hashtable.
        $c = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessConditionSet]@{
            Applications = @{ IncludeApplications = @('None'); IncludeProtectionLevels = $null; Kept = 'k' }
        }
        $c.Applications.AdditionalProperties.Keys | Should -Be @('Kept')
        $c.ToJsonString() | Should -Not -Match 'IncludeProtectionLevels'
        $p = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]([pscustomobject]@{ DisplayName = 'ps'; Gone = $null })
        $p.AdditionalProperties.ContainsKey('Gone') | Should -BeFalse
    }

    It 'merges an AdditionalProperties key' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ AdditionalProperties = @{ a = 1 }; b = 2 }
        $u.AdditionalProperties['a'] | Should -Be 1
        $u.AdditionalProperties['b'] | Should -Be 2
    }

    It 'refuses a value holding itself and nesting without end, naming the path' {
        $h = @{ displayName = 'x' }
        $h['passwordProfile'] = $h
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]$h } | Should -Throw -ExpectedMessage '*.passwordProfile*circular reference*'
        $deep = @{ code = 'x' }
        foreach ($i in 1..80) { $deep = @{ code = "$i"; innerError = $deep } }
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphWorkbookOperationError]$deep } | Should -Throw -ExpectedMessage '*deeper than 64*innerError*'
    }

    It 'a -BodyParameter-like typed variable takes a hashtable' {
        [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphGroup] $body = @{ displayName = 'g'; mailEnabled = 'false'; 'owners@odata.bind' = @('https://graph.microsoft.com/v1.0/users/1') }
        $body.MailEnabled | Should -BeFalse
        $body.AdditionalProperties['owners@odata.bind'] | Should -Be @('https://graph.microsoft.com/v1.0/users/1')
    }
}

Describe 'Model JSON' {
    It 'serializes as the SDK writes: nulls left out, AdditionalProperties merged, dates in UTC ISO 8601' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{
            displayName = 'x'; accountEnabled = 'false'; extra = 1
            createdDateTime = [datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
            passwordProfile = @{ password = 'p' }
        }
        $json = [MgGraph.PowerShell.MgJson]::Serialize($u)
        $back = $json | ConvertFrom-Json -AsHashtable
        @($back.Keys | Sort-Object) | Should -Be @('accountEnabled', 'createdDateTime', 'displayName', 'extra', 'passwordProfile')
        $json | Should -Match '"createdDateTime":"2024-01-02T03:04:05\.0000000Z"'
        $json | Should -Match '"accountEnabled":false'
        $back['passwordProfile'].Keys | Should -Be @('password')
        [MgGraph.PowerShell.MgJson]::IsModel($u) | Should -BeTrue
        [MgGraph.PowerShell.MgJson]::IsModel(@{}) | Should -BeFalse
    }

    It 'keeps wire names that are not the property name lowered (request-id, v10_0), reading, writing and casting' {
        # Only these carry [JsonProperty]; every other property's wire name is its own with the
        # first letter lowered.
        $e = [MgGraph.PowerShell.MgJson]::DeserializeArray('{"request-id":"r","client-request-id":"c","date":"2024-01-02T03:04:05Z","RequestId":"other"}', [Microsoft.Graph.PowerShell.Models.MicrosoftGraphInnerError], $false)[0]
        $e.RequestId | Should -Be 'other' -Because 'a member named as the property, in any case, is read into it too (the later wins)'
        $e.ClientRequestId | Should -Be 'c'
        $e.Date.Kind | Should -Be 'Utc'
        $e.AdditionalProperties.Count | Should -Be 0
        $json = [MgGraph.PowerShell.MgJson]::Serialize($e) | ConvertFrom-Json -AsHashtable
        @($json.Keys | Sort-Object) | Should -Be @('client-request-id', 'date', 'request-id')
        $cast = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphInnerError]@{ 'request-id' = 'a'; clientRequestId = 'b'; extra = 1 }
        $cast.RequestId | Should -Be 'a'
        $cast.ClientRequestId | Should -Be 'b'
        $cast.AdditionalProperties['extra'] | Should -Be 1
        $os = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphAndroidMinimumOperatingSystem]@{ v10_0 = $true; V110 = $false }
        $os.V100 | Should -BeTrue
        [MgGraph.PowerShell.MgJson]::Serialize($os) | Should -Be '{"v10_0":true,"v11_0":false}'
    }

    It 'reads a page into typed objects; undeclared members and expanded entities as the SDK shows them' {
        $page = '[{"@odata.type":"#microsoft.graph.user","id":"1","displayName":"A","createdDateTime":"2024-01-02T03:04:05Z","manager":{"id":"m","displayName":"Boss"},"memberOf":[{"@odata.type":"#microsoft.graph.group","id":"g1"}],"ext":{"a":[1,2]},"seen":"2024-05-06T07:08:09Z","gone":null,"passwordProfile":{"password":"z","n":{"q":1}}},{"id":"2"}]'
        $items = [MgGraph.PowerShell.MgJson]::DeserializeArray($page, [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphUser], $true)
        , $items | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser[]])
        $items.Count | Should -Be 2
        $u = $items[0]
        $u.Id | Should -Be '1'
        $u.CreatedDateTime.Kind | Should -Be 'Utc'
        $u.AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.user'
        $u.AdditionalProperties['ext'] | Should -BeOfType ([hashtable])
        $u.AdditionalProperties['ext']['A'] | Should -Be @(1, 2)
        # As the SDK fills AdditionalProperties: text stays text (a date too), a null is left out.
        $u.AdditionalProperties['seen'] | Should -BeExactly '2024-05-06T07:08:09Z'
        $u.AdditionalProperties.ContainsKey('gone') | Should -BeFalse
        # An expanded navigation property is its declared class, as in the SDK: a manager a
        # directoryObject (the rest in AdditionalProperties), memberOf directoryObject[].
        $u.Manager | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject])
        $u.Manager.Id | Should -Be 'm'
        $u.Manager.AdditionalProperties['displayName'] | Should -Be 'Boss'
        , $u.MemberOf | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject[]])
        $u.MemberOf[0].AdditionalProperties['@odata.type'] | Should -Be '#microsoft.graph.group'
        $u.PasswordProfile.AdditionalProperties['n'] | Should -BeOfType ([hashtable])
        $items[1].AdditionalProperties.Count | Should -Be 0
    }

    It 'reads a nested model''s null before its property is resolved, and its value, empty array and repeated keys after, in a fresh process' {
        # The reader leaves a class-typed property unresolved (its type unloaded) while its
        # values are null; its getter's signature tells such a property apart.
        $r = Invoke-FreshPwsh @'
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.Graph.Applications
$slot = [MgGraph.PowerShell.MgJson].Assembly.GetType('MgGraph.PowerShell.Slot')
$classTyped = $slot.GetMethod('IsClassTyped', [Reflection.BindingFlags]'Static,NonPublic')
$app = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphApplication]
$kinds = [ordered]@{}
foreach ($name in 'Web', 'KeyCredentials', 'DisplayName', 'IdentifierUris', 'CreatedDateTime', 'IsFallbackPublicClient', 'Logo', 'AdditionalProperties') {
    $kinds[$name] = $classTyped.Invoke($null, @($app.GetProperty($name)))
}
$read = { param($json) [MgGraph.PowerShell.MgJson]::DeserializeArray($json, [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphApplication], $false)[0] }
$first = & $read '[{"id":"a","displayName":"x","web":null,"api":null,"spa":null,"keyCredentials":[],"tags":[],"createdDateTime":null}]'
$webResolved = $app.GetProperty('Web') -and (([MgGraph.PowerShell.MgJson].Assembly.GetType('MgGraph.PowerShell.ModelInfo').GetMethod('Of', [Reflection.BindingFlags]'Static,Public,NonPublic').Invoke($null, @($app))).ByJson['web'].Resolved)
$second = & $read '[{"id":"b","web":{"redirectUris":["https://x"]},"spa":{"redirectUris":[]},"spa":null,"info":null,"info":{"logoUrl":"l"}}]'
$third = & $read '[{"id":"c","web":{"homePageUrl":"h"},"web":null}]'
[ordered]@{
    Kinds = $kinds
    WebResolvedAfterNull = $webResolved
    First = @($first.DisplayName, ($null -eq $first.Web), ($null -eq $first.Api), $first.KeyCredentials.GetType().FullName, $first.KeyCredentials.Count, $first.Tags.Count, ($null -eq $first.CreatedDateTime), $first.AdditionalProperties.Count)
    Second = @($second.Web.GetType().Name, $second.Web.RedirectUris[0], ($null -eq $second.Spa), $second.Info.LogoUrl)
    Third = ($null -eq $third.Web)
} | ConvertTo-Json -Depth 3 -Compress
'@
        $r.Kinds.Web | Should -BeTrue
        $r.Kinds.KeyCredentials | Should -BeTrue
        foreach ($name in 'DisplayName', 'IdentifierUris', 'CreatedDateTime', 'IsFallbackPublicClient', 'Logo') { $r.Kinds[$name] | Should -BeFalse -Because $name }
        $r.WebResolvedAfterNull | Should -BeFalse
        $r.First | Should -Be @('x', $true, $true, 'Microsoft.Graph.PowerShell.Models.MicrosoftGraphKeyCredential[]', 0, 0, $true, 0)
        $r.Second | Should -Be @('MicrosoftGraphWebApplication', 'https://x', $true, 'l')
        $r.Third | Should -BeTrue
    }

    It 'reads an expanded navigation property with its typed properties (roleDefinition.DisplayName)' {
        $page = '[{"id":"a1","principalId":"p","roleDefinitionId":"r","roleDefinition":{"id":"r","displayName":"Global Administrator","isBuiltIn":true,"rolePermissions":[{"allowedResourceActions":["microsoft.directory/allEntities/allProperties/allTasks"]}]}}]'
        $a = [MgGraph.PowerShell.MgJson]::DeserializeArray($page, [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphUnifiedRoleAssignment], $false)[0]
        $a.RoleDefinition | Should -BeOfType ([Microsoft.Graph.PowerShell.Models.MicrosoftGraphUnifiedRoleDefinition])
        $a.RoleDefinition.DisplayName | Should -Be 'Global Administrator'
        $a.RoleDefinition.IsBuiltIn | Should -BeTrue
        $a.RoleDefinition.RolePermissions[0].AllowedResourceActions | Should -Be 'microsoft.directory/allEntities/allProperties/allTasks'
        # And written back as it came.
        [MgGraph.PowerShell.MgJson]::Serialize($a) | Should -Match '"roleDefinition":\{"id":"r","displayName":"Global Administrator"'
    }

    It 'has no property the SDK''s model lacks, so a pipeline binds only what the SDK''s object would' {
        $u = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser]@{ Id = 'u1'; DisplayName = 'A'; UserPrincipalName = 'a@x' }
        foreach ($name in 'UserId', 'DirectoryObjectId', 'EntityId') {
            $u.PSObject.Properties.Name | Should -Not -Contain $name
            ($u | ConvertTo-Json -Depth 1 | ConvertFrom-Json).PSObject.Properties.Name | Should -Not -Contain $name
        }
        ($u | Select-Object * | ConvertTo-Csv)[0] | Should -Not -Match 'UserId'
        # A parameter named (or aliased) DirectoryObjectId takes nothing from a user, as
        # Microsoft.Entra's Get-EntraUserGroup -GroupId expects; UserPrincipalName binds.
        $bound = $u | & {
            param([Parameter(ValueFromPipelineByPropertyName)][Alias('UserPrincipalName')][string] $UserId,
                [Parameter(ValueFromPipelineByPropertyName)][Alias('DirectoryObjectId')][string] $GroupId)
            process { "$UserId|$GroupId" }
        }
        $bound | Should -Be 'a@x|'
    }

    It 'converts an object of another .NET class by its properties (Microsoft.Entra''s own types), and still names a scalar' {
        # New-EntraDevice passes its Microsoft.Open.AzureAD.Model.AlternativeSecurityId objects
        # to the SDK's -AlternativeSecurityIds; a PowerShell class is such an object.
        $source = New-Object -TypeName ([type](Invoke-Expression 'class AltSecIdLike { [int] $Type = 2; [string] $IdentityProvider = ''idp''; [string] $Extra = ''x'' }; [AltSecIdLike]'))
        $m = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphAlternativeSecurityId]$source
        $m.Type | Should -Be 2
        $m.IdentityProvider | Should -Be 'idp'
        $m.AdditionalProperties['Extra'] | Should -Be 'x'
        $list = [Microsoft.Graph.PowerShell.Models.IMicrosoftGraphAlternativeSecurityId[]]@($source, @{ type = 1 })
        $list.Type | Should -Be @(2, 1)
        { [Microsoft.Graph.PowerShell.Models.MicrosoftGraphAlternativeSecurityId]42 } | Should -Throw '*System.Int32, not a dictionary or an object*'
    }

    It 'binds an id a script added as a note property (Microsoft.Entra''s objects) by that name' {
        # Entra builds its output as New-Object <model> plus Add-Member NoteProperty id/ObjectId,
        # leaving the declared Id unset; its parameters take ObjectId by property name.
        $m = New-Object Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser
        $m | Add-Member NoteProperty ObjectId 'u2'
        $m | Add-Member NoteProperty id 'u2' -Force
        $bound = $m | & { param([Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)] [Alias('ObjectId')] [string] $UserId) process { $UserId } }
        $bound | Should -Be 'u2'
    }

    It 'takes a pipeline that wrote nothing as no value (AutomationNull), as the SDK does' {
        $none = @() | Select-Object -ExpandProperty ServicePlanId
        $license = [Microsoft.Graph.PowerShell.Models.MicrosoftGraphAssignedLicense]@{ SkuId = 's'; DisabledPlans = $none }
        $license.SkuId | Should -Be 's'
        $license.DisabledPlans | Should -BeNullOrEmpty
    }
}
