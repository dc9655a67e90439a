Set-StrictMode -Version Latest

# The generated surface against the sandbox: one generated cmdlet of every SDK module, and
# every kind of operation (list, get, create, update, delete, $ref, $count, cast, action,
# function), checking the request each sends (its SDK-style -Debug trace: method, URL,
# body, headers) and what comes back.

BeforeDiscovery {
    # Per v1.0 module, its shortest list cmdlet of a root collection that takes -Top (no id
    # needed), from the catalog; the sandbox serves every catalog path, empty where it has no data.
    # The sessions here are the in-process administrator's (delegated): paths where Microsoft's
    # permission map supports no delegated permission (GET /education/users) are refused there
    # as Graph refuses them, so they are not picked.
    $catalog = Join-Path $PSScriptRoot '../../src/catalog/generated/commands.jsonl'
    $appOnly = [Collections.Generic.HashSet[string]]::new()
    foreach ($line in [IO.File]::ReadLines([IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../src/catalog/generated/permissions.tsv')))) {
        $f = $line.Split("`t")
        if ($f.Count -ge 3 -and $f[0] -eq 'GET' -and $f[2] -eq '') { $null = $appOnly.Add($f[1]) }
    }
    $best = @{}
    foreach ($line in [IO.File]::ReadLines([IO.Path]::GetFullPath($catalog))) {
        if ($line -notmatch '^\{"name":"(Get-Mg[^"]+)","module":"(Microsoft\.Graph\.[^"]+)","ops":\[\{"variant":"List","method":"GET","path":"(/[^"{$]+)","kind":"list"') { continue }
        $name, $module = $Matches[1], $Matches[2]
        if ($appOnly.Contains($Matches[3].ToLowerInvariant())) { continue }
        if ($line -notmatch '"query":\[[^\]]*"top"') { continue }
        if (-not $best.ContainsKey($module) -or $name.Length -lt $best[$module].Length) { $best[$module] = $name }
    }
    $script:ModuleCases = foreach ($m in ($best.Keys | Sort-Object)) { @{ Module = $m; Cmdlet = $best[$m] } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1') -Force
    Connect-MgGraph -Environment Sandbox -NoWelcome

    function Get-RequestTrace {
        # Runs a command with -Debug and returns its debug text (the SDK-style HTTP trace).
        param([scriptblock] $Command)
        $records = & $Command 5>&1
        [pscustomobject]@{
            Output = @($records | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] })
            Trace  = ($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message) -join "`n"
        }
    }
}

AfterAll { Disconnect-MgGraph | Out-Null }

Describe 'One generated cmdlet of every module' {
    It '<Cmdlet> (<Module>) lists from the sandbox' -ForEach $script:ModuleCases {
        $r = Get-RequestTrace { & $Cmdlet -Top 1 -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'HTTP Method:\s+GET'
        $r.Trace | Should -Match 'Absolute Uri:\s+\S+/v1\.0/'
        (Get-Command $Cmdlet).Module.Name | Should -Be $Module
    }
}

Describe 'Every kind of operation' {
    BeforeAll {
        $script:Suffix = [guid]::NewGuid().ToString('n').Substring(0, 8)
        # The signed-in administrator of whichever sandbox tenant this process already has.
        $script:Admin = Get-MgUser -UserId (Get-MgContext).Account
    }

    It 'create (POST a body from expanded parameters) and get' {
        $r = Get-RequestTrace { New-MgGroup -DisplayName "Surface $script:Suffix" -MailEnabled:$false -MailNickname "surface$script:Suffix" -SecurityEnabled -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'HTTP Method:\s+POST'
        $r.Trace | Should -Match '/v1\.0/groups\b'
        $r.Trace | Should -Match '"mailNickname"\s*:\s*"surface'
        $script:Group = $r.Output[0]
        $script:Group.Id | Should -Not -BeNullOrEmpty
        (Get-MgGroup -GroupId $script:Group.Id).DisplayName | Should -Be "Surface $script:Suffix"
    }

    It 'update (PATCH) sends only what was given' {
        $r = Get-RequestTrace { Update-MgGroup -GroupId $script:Group.Id -Description 'changed' -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'HTTP Method:\s+PATCH'
        $r.Trace | Should -Match '"description"\s*:\s*"changed"'
        $r.Trace | Should -Not -Match '"displayName"'
        (Get-MgGroup -GroupId $script:Group.Id).Description | Should -Be 'changed'
    }

    It 'update (PATCH) with an explicit $null clears the property' {
        $r = Get-RequestTrace { Update-MgGroup -GroupId $script:Group.Id -Description $null -Debug -ErrorAction Stop }
        $r.Trace | Should -Match '"description"\s*:\s*null'
        (Get-MgGroup -GroupId $script:Group.Id -Property id, description).Description | Should -BeNullOrEmpty
        Update-MgGroup -GroupId $script:Group.Id -Description 'changed' -ErrorAction Stop
    }

    It '$ref: add, list and remove a member' {
        $odataId = "https://graph.microsoft.com/v1.0/directoryObjects/$($script:Admin.Id)"
        $r = Get-RequestTrace { New-MgGroupMemberByRef -GroupId $script:Group.Id -OdataId $odataId -Debug -ErrorAction Stop }
        $r.Trace | Should -Match "/groups/$($script:Group.Id)/members/\`$ref"
        $r.Trace | Should -Match '"@odata.id"'
        @(Get-MgGroupMember -GroupId $script:Group.Id).Id | Should -Contain $script:Admin.Id
    }

    It '$count answers a number with ConsistencyLevel' {
        $r = Get-RequestTrace { Get-MgGroupMemberCount -GroupId $script:Group.Id -ConsistencyLevel eventual -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'ConsistencyLevel'
        $r.Output | Should -Be 1
    }

    It 'cast: the members that are users' {
        $r = Get-RequestTrace { Get-MgGroupMemberAsUser -GroupId $script:Group.Id -Debug -ErrorAction Stop }
        $r.Trace | Should -Match '/members/microsoft\.graph\.user'
        @($r.Output).Id | Should -Contain $script:Admin.Id
    }

    It 'action: checkMemberGroups' {
        $r = Get-RequestTrace { Confirm-MgUserMemberGroup -UserId $script:Admin.Id -GroupIds @($script:Group.Id) -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'HTTP Method:\s+POST'
        $r.Trace | Should -Match '/checkMemberGroups'
        $r.Output | Should -Contain $script:Group.Id
    }

    It 'action: -BodyParameter is the SDK''s class of the action''s parameters, and takes a hashtable in any case' {
        # checkMemberGroups is bound to directoryObject (one entity set): its parameters are
        # written on each path, and the SDK's class is named after the path.
        (Get-Command Confirm-MgUserMemberGroup).Parameters['BodyParameter'].ParameterType.FullName |
            Should -Be 'Microsoft.Graph.PowerShell.Models.IPathsDyyrb2UsersUserIdMicrosoftGraphCheckmembergroupsPostRequestbodyContentApplicationJsonSchema'
        $r = Get-RequestTrace { Confirm-MgUserMemberGroup -UserId $script:Admin.Id -BodyParameter @{ GROUPIDS = @($script:Group.Id) } -Debug -ErrorAction Stop }
        $r.Trace | Should -Match '"groupIds"'
        $r.Output | Should -Contain $script:Group.Id
        # What it writes, as its OutputType says: the ids, as strings.
        (Get-Command Confirm-MgUserMemberGroup).OutputType.Type | Should -Be ([string])
        @($r.Output)[0] | Should -BeOfType [string]
    }

    It 'function: delta' {
        $r = Get-RequestTrace { Get-MgUserDelta -Debug -ErrorAction Stop }
        $r.Trace | Should -Match '/users/delta\(\)'
        @($r.Output).Count | Should -BeGreaterThan 0
    }

    It 'binary content: -InFile uploads and -OutFile downloads the same bytes' {
        $in = Join-Path ([IO.Path]::GetTempPath()) "mggraph-photo-$script:Suffix.bin"
        $out = Join-Path ([IO.Path]::GetTempPath()) "mggraph-photo-$script:Suffix.out"
        try {
            [IO.File]::WriteAllBytes($in, [byte[]](0..255))
            $r = Get-RequestTrace { Set-MgUserPhotoContent -UserId $script:Admin.Id -InFile $in -Debug -ErrorAction Stop }
            $r.Trace | Should -Match 'HTTP Method:\s+PUT'
            $r.Trace | Should -Match '/photo/\$value'
            Get-MgUserPhotoContent -UserId $script:Admin.Id -OutFile $out -ErrorAction Stop
            [IO.File]::ReadAllBytes($out) | Should -Be ([byte[]](0..255))
        }
        finally { Remove-Item $in, $out -ErrorAction SilentlyContinue }
    }

    It 'delete: remove the reference, then the group' {
        $r = Get-RequestTrace { Remove-MgGroupMemberDirectoryObjectByRef -GroupId $script:Group.Id -DirectoryObjectId $script:Admin.Id -Debug -ErrorAction Stop }
        $r.Trace | Should -Match 'HTTP Method:\s+DELETE'
        @(Get-MgGroupMember -GroupId $script:Group.Id).Count | Should -Be 0
        Remove-MgGroup -GroupId $script:Group.Id -Confirm:$false -ErrorAction Stop
        { Get-MgGroup -GroupId $script:Group.Id -ErrorAction Stop } | Should -Throw -ExpectedMessage '*does not exist*'
    }
}

Describe 'The cmdlets written by hand in the catalog' {
    # A hand-written catalog entry replaces the generated cmdlet of its name, and the SDK's
    # beta modules have a twin of each v1.0 cmdlet.
    It 'keep the parameters the metadata gives (-Skip where the collection takes $skip, a List set)' {
        (Get-Command Get-MgGroupMember).Parameters.Keys | Should -Contain 'Skip'
        (Get-Command Get-MgUserAuthenticationMethod).Parameters.Keys | Should -Contain 'Skip'
        $r = Get-RequestTrace { Get-MgGroup -Top 2 -Skip 1 -Debug -ErrorAction SilentlyContinue }
        $r.Trace | Should -Match '\$skip=1'
        $configs = @(Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -All -ErrorAction Stop)
        $configs.Id | Should -Contain 'TemporaryAccessPass'
    }

    It 'have beta twins in the beta modules: New-MgBetaGroupMember, Remove-MgBetaGroupMemberByRef' {
        $group = New-MgGroup -DisplayName 'Twin test' -MailEnabled:$false -MailNickname twintest -SecurityEnabled -ErrorAction Stop
        try {
            $me = Get-MgUser -UserId (Get-MgContext).Account -ErrorAction Stop
            (Get-Command New-MgBetaGroupMember).Module.Name | Should -Be 'Microsoft.Graph.Beta.Groups'
            $r = Get-RequestTrace { New-MgBetaGroupMember -GroupId $group.Id -DirectoryObjectId $me.Id -Debug -ErrorAction Stop }
            $r.Trace | Should -Match "/beta/groups/$($group.Id)/members/\`$ref"
            @(Get-MgBetaGroupMember -GroupId $group.Id).Id | Should -Be @($me.Id)
            Remove-MgBetaGroupMemberByRef -GroupId $group.Id -DirectoryObjectId $me.Id -ErrorAction Stop
            @(Get-MgGroupMember -GroupId $group.Id).Count | Should -Be 0
        }
        finally { Remove-MgGroup -GroupId $group.Id -Confirm:$false }
    }
}

Describe 'The SDK''s module directives, as its reference pages name the cmdlets' {
    # Microsoft's documented examples call these; the raw names would send other requests.
    It '<Call> sends GET <Path>' -ForEach @(
        @{ Call = { Get-MgUserDefaultCalendar -UserId $script:Me.Id -Debug }; Path = '/users/[^/]+/calendar$' }
        @{ Call = { Get-MgUserCalendar -UserId $script:Me.Id -Debug }; Path = '/users/[^/]+/calendars$' }
        @{ Call = { Get-MgUserDefaultDrive -UserId $script:Me.Id -Debug }; Path = '/users/[^/]+/drive$' }
        @{ Call = { Get-MgSite -SiteId root -Debug }; Path = '/sites/root$' }
        @{ Call = { Get-MgSiteList -SiteId root -Debug }; Path = '/sites/root/lists$' }
        @{ Call = { Get-MgTeamChannel -TeamId t1 -Debug }; Path = '/teams/t1/channels$' }
        @{ Call = { Get-MgAllTeamChannel -TeamId t1 -Debug }; Path = '/teams/t1/allChannels$' }
        @{ Call = { Get-MgIdentityGovernanceLifecycleWorkflow -Debug }; Path = '/identityGovernance/lifecycleWorkflows/workflows$' }
    ) {
        $script:Me = Get-MgUser -UserId (Get-MgContext).Account -ErrorAction Stop
        $r = Get-RequestTrace { $ErrorActionPreference = 'SilentlyContinue'; & $Call }
        $uri = [regex]::Match($r.Trace, 'https?://\S+').Value -replace '\?.*$', ''
        $uri | Should -Match $Path
    }
}
