# Finding commands, choosing the API profile, and making the SDK-named modules discoverable.

Set-StrictMode -Version 3.0

function Find-MgGraphCommand {
    <#
    .SYNOPSIS
    Finds the cmdlets for a Microsoft Graph URI, or the URIs a cmdlet calls.

    .DESCRIPTION
    Answers from MgGraph's catalog, generated from Graph's v1.0 metadata (beta twins included).
    -Uri takes a path (/users/{id}, /v1.0/users/8a7c..., or a full URL) and matches ids in any
    position; -Method narrows by HTTP method; -ApiVersion by v1.0 or beta. -Command takes
    names with * wildcards.

    .PARAMETER Command
    Cmdlet names; * wildcards allowed.
    .PARAMETER Uri
    Graph URIs or paths.
    .PARAMETER Method
    GET, POST, PATCH, PUT or DELETE.
    .PARAMETER ApiVersion
    v1.0 or beta.

    .EXAMPLE
    Find-MgGraphCommand -Uri '/users/{id}' -Method GET

    Lists the cmdlets that call GET /users/{user-id} (Get-MgUser, Get-MgBetaUser).

    .EXAMPLE
    Find-MgGraphCommand -Command Get-MgUserMemberOf

    Shows the URIs Get-MgUserMemberOf calls.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/find-mggraphcommand
    #>
    [CmdletBinding(DefaultParameterSetName = 'FindByUri')]
    [OutputType('Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'FindByCommand', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]] $Command,

        [Parameter(Mandatory, ParameterSetName = 'FindByUri', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]] $Uri,

        [Parameter(ParameterSetName = 'FindByUri', Position = 1)]
        [ValidateSet('GET', 'POST', 'PUT', 'PATCH', 'DELETE')]
        [string] $Method,

        [Parameter(Position = 2)]
        [ValidateSet('v1.0', 'beta')]
        [string] $ApiVersion
    )
    process {
        $queries = if ($PSCmdlet.ParameterSetName -eq 'FindByCommand') { foreach ($c in $Command) { @{ Command = $c } } }
        else { foreach ($u in $Uri) { @{ Uri = $u; Method = $Method } } }
        foreach ($q in $queries) {
            if ($ApiVersion) { $q.ApiVersion = $ApiVersion }
            $rows = [System.Collections.Generic.List[object]]::new()
            Invoke-MgBuiltin -Name 'Find-MgGraphCommand' -Params $q -Cmdlet $PSCmdlet -Capture $rows
            if ($rows.Count -eq 0) {
                $what = if ($q.Command) { "command '$($q.Command)'" } else { "URI '$($q.Uri)'" }
                $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                        [System.ArgumentException]::new("MgGraph: no Microsoft Graph command matches the $what."),
                        'NotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $(if ($q.Command) { $q.Command } else { $q.Uri })))
                continue
            }
            foreach ($r in $rows) {
                [pscustomobject]@{
                    PSTypeName  = 'Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand'
                    Command     = $r['Command']
                    Module      = $r['Module']
                    APIVersion  = $r['APIVersion']
                    Method      = $r['Method']
                    URI         = $r['URI']
                    OutputType  = $r['OutputType']
                    Permissions = @()
                    Variants    = @($r['Variants'])
                }
            }
        }
    }
}

function Select-MgProfile {
    <#
    .SYNOPSIS
    Chooses the API version (v1.0 or beta) that v1.0-named cmdlets call, as in SDK v1.

    .DESCRIPTION
    A compatibility feature for scripts written for version 1 of the SDK: after
    Select-MgProfile -Name beta, Get-MgUser and every other v1.0-named cmdlet calls its beta
    twin (Get-MgBetaUser) on /beta, for the rest of the process. SDK v2 removed this command in
    favour of the MgBeta cmdlets; MgGraph warns once and keeps it working.

    .PARAMETER Name
    v1.0 or beta.

    .EXAMPLE
    Select-MgProfile -Name beta; Get-MgUser -UserId admin@contoso.onmicrosoft.com

    Reads the user from the beta API.

    .LINK
    https://learn.microsoft.com/powershell/microsoftgraph/migration-steps
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateSet('v1.0', 'beta')]
        [string] $Name
    )
    $domain = [System.AppDomain]::CurrentDomain
    if (-not $domain.GetData('MgGraph.ProfileWarned')) {
        $domain.SetData('MgGraph.ProfileWarned', $true)
        $PSCmdlet.WriteWarning('Select-MgProfile is a Microsoft Graph PowerShell SDK v1 feature that MgGraph keeps for compatibility: v1.0-named cmdlets now call the ' + $Name + ' API. In new scripts, call the MgBeta cmdlets (Get-MgBetaUser, ...) instead.')
    }
    $domain.SetData('MgGraph.Profile', $Name)
}

# The SDK-named modules (Microsoft.Graph.Users, ...) sit beside this module in a checkout
# (module/) and in an 'sdk' folder inside an installed package: put them on PSModulePath for
# this process, so their cmdlets load on first use and `Import-Module Microsoft.Graph.Users`
# finds MgGraph's copy ahead of any installed SDK (README, "Coexisting with the SDK").
$script:MgSdkModuleRoot = [System.IO.Path]::GetDirectoryName($PSScriptRoot)
if (($env:PSModulePath -split [System.IO.Path]::PathSeparator) -notcontains $script:MgSdkModuleRoot) {
    $env:PSModulePath = $script:MgSdkModuleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
}

# The lines Enable-MgGraphSdkModule -Scope CurrentUser adds to the user's profile, between
# these markers. They name no version: at each start they put the newest installed MgGraph's
# sdk folder first on PSModulePath, so they keep working after Update-PSResource and do
# nothing once MgGraph is uninstalled.
$script:MgProfileBegin = '# >>> MgGraph: SDK-named modules (Enable-MgGraphSdkModule) >>>'
$script:MgProfileEnd = '# <<< MgGraph: SDK-named modules <<<'

function Get-MgProfileBlock {
    # The profile lines; $Checkout is a folder to use when no installed MgGraph is found
    # (a checkout's module/ folder), or ''.
    param([string] $Checkout)
    $literal = $Checkout.Replace("'", "''")
    @"
$script:MgProfileBegin
& {
    `$sep = [System.IO.Path]::PathSeparator
    `$best = '$literal'; `$bestVersion = `$null
    foreach (`$root in `$env:PSModulePath.Split(`$sep)) {
        if (-not `$root -or -not [System.IO.Directory]::Exists("`$root/MgGraph")) { continue }
        foreach (`$dir in [System.IO.Directory]::GetDirectories("`$root/MgGraph")) {
            `$version = `$null
            if ([version]::TryParse([System.IO.Path]::GetFileName(`$dir), [ref] `$version) -and
                [System.IO.Directory]::Exists("`$dir/sdk") -and (`$null -eq `$bestVersion -or `$version -gt `$bestVersion)) {
                `$best = "`$dir/sdk"; `$bestVersion = `$version
            }
        }
    }
    if (`$best -and [System.IO.Directory]::Exists(`$best) -and `$env:PSModulePath.Split(`$sep) -notcontains `$best) {
        `$env:PSModulePath = `$best + `$sep + `$env:PSModulePath
    }
}
$script:MgProfileEnd
"@
}

function Get-MgPowerShellProfilePath {
    # The profile every PowerShell host of this user runs ($PROFILE.CurrentUserAllHosts).
    param()
    $p = Get-Variable -Name PROFILE -ValueOnly -ErrorAction Ignore
    if ($p -and $p.PSObject.Properties['CurrentUserAllHosts']) { return $p.CurrentUserAllHosts }
    throw [System.InvalidOperationException]::new('MgGraph: this PowerShell host has no $PROFILE, so there is no user profile to change. Use -Scope Process, or add the folder to PSModulePath yourself.')
}

function Remove-MgProfileBlock {
    # $Text without the MgGraph block (and the blank line before it).
    param([string] $Text)
    $pattern = '(?ms)(\r?\n)?' + [regex]::Escape($script:MgProfileBegin) + '.*?' + [regex]::Escape($script:MgProfileEnd) + '\r?\n?'
    [regex]::Replace($Text, $pattern, '')
}

function Enable-MgGraphSdkModule {
    <#
    .SYNOPSIS
    Makes MgGraph's SDK-named modules (Microsoft.Graph.Users, ...) available to new PowerShell sessions.

    .DESCRIPTION
    MgGraph ships a module named like each module of the Microsoft Graph PowerShell SDK
    (Microsoft.Graph.Users, Microsoft.Graph.Identity.SignIns, Microsoft.Graph, ...), in the
    'sdk' folder of the installed package. Importing MgGraph puts that folder first on
    PSModulePath for the process. So that '#Requires -Modules Microsoft.Graph.Users' and
    'Import-Module Microsoft.Graph.Groups' work in a new session before anything imports
    MgGraph, -Scope CurrentUser adds a few lines to your profile ($PROFILE.CurrentUserAllHosts)
    that put the newest installed MgGraph's 'sdk' folder first on PSModulePath at every start.
    They name no version, so they keep working after Update-PSResource, and do nothing once
    MgGraph is uninstalled; Disable-MgGraphSdkModule removes them. Running it again changes
    nothing.

    Sessions started with -NoProfile (scheduled tasks, CI, some runbook hosts) do not run the
    profile: there, import MgGraph first, or put the folder this command returns on
    PSModulePath. While these lines are active, MgGraph's SDK-named modules are found ahead
    of an installed Microsoft Graph PowerShell SDK in every session of this user.

    .PARAMETER Scope
    CurrentUser (the default): your profile, for every new session. Process: this session only.

    .EXAMPLE
    Enable-MgGraphSdkModule

    Adds the lines to your profile; new sessions find Microsoft.Graph.Users and the others.

    .EXAMPLE
    Enable-MgGraphSdkModule -Scope CurrentUser -WhatIf

    Shows which profile would be changed, without changing it.

    .OUTPUTS
    An object with the Scope, the SDK-named modules' Folder, and the Profile changed (CurrentUser).

    .LINK
    Disable-MgGraphSdkModule
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [ValidateSet('CurrentUser', 'Process')]
        [string] $Scope = 'CurrentUser'
    )
    $folder = $script:MgSdkModuleRoot
    $sep = [System.IO.Path]::PathSeparator
    $profilePath = $null
    if ($Scope -eq 'Process') {
        if (($env:PSModulePath -split $sep) -notcontains $folder -and (Test-MgShouldProcess $PSCmdlet 'PSModulePath' "Add '$folder'")) {
            $env:PSModulePath = $folder + $sep + $env:PSModulePath
        }
    }
    else {
        $profilePath = Get-MgPowerShellProfilePath
        # A package keeps its modules in <version>/sdk, found afresh at each start; a checkout's
        # module/ folder is named as it is.
        $checkout = if ([System.IO.Path]::GetFileName($folder) -eq 'sdk') { '' } else { $folder }
        $old = if ([System.IO.File]::Exists($profilePath)) { [System.IO.File]::ReadAllText($profilePath) } else { '' }
        $rest = (Remove-MgProfileBlock $old).TrimEnd("`r", "`n")
        $new = $(if ($rest) { $rest + [Environment]::NewLine + [Environment]::NewLine } else { '' }) + (Get-MgProfileBlock $checkout)
        if ($new -ne $old -and (Test-MgShouldProcess $PSCmdlet $profilePath 'Add the lines that put MgGraph''s SDK-named modules on PSModulePath')) {
            $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($profilePath))
            [System.IO.File]::WriteAllText($profilePath, $new)
        }
    }
    [pscustomobject]@{ Scope = $Scope; Folder = $folder; Profile = $profilePath }
}

function Disable-MgGraphSdkModule {
    <#
    .SYNOPSIS
    Undoes Enable-MgGraphSdkModule: new sessions no longer find MgGraph's SDK-named modules before MgGraph is imported.

    .DESCRIPTION
    Takes the SDK-named modules' folder off PSModulePath for this session, and with -Scope
    CurrentUser (the default) also removes the lines Enable-MgGraphSdkModule added to your
    profile ($PROFILE.CurrentUserAllHosts), and the profile itself when nothing else is in it.
    Run it before Uninstall-PSResource MgGraph: while the folder is on PSModulePath,
    PSResourceGet counts the SDK-named modules as packages that need MgGraph and refuses to
    uninstall it; and without it nothing is left behind (the lines are harmless without MgGraph,
    but of no use).

    .PARAMETER Scope
    CurrentUser (the default) or Process.

    .EXAMPLE
    Disable-MgGraphSdkModule

    Removes MgGraph's lines from your profile.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [ValidateSet('CurrentUser', 'Process')]
        [string] $Scope = 'CurrentUser'
    )
    $sep = [System.IO.Path]::PathSeparator
    $kept = @($env:PSModulePath -split $sep | Where-Object { $_ -ne $script:MgSdkModuleRoot })
    if ((Test-MgShouldProcess $PSCmdlet 'PSModulePath' "Remove '$script:MgSdkModuleRoot'")) { $env:PSModulePath = $kept -join $sep }
    if ($Scope -eq 'Process') { return }
    $profilePath = Get-MgPowerShellProfilePath
    if (-not [System.IO.File]::Exists($profilePath)) { return }
    $old = [System.IO.File]::ReadAllText($profilePath)
    $new = Remove-MgProfileBlock $old
    if ($new -eq $old) { return }
    if ((Test-MgShouldProcess $PSCmdlet $profilePath 'Remove MgGraph''s lines')) {
        if ($new.Trim()) { [System.IO.File]::WriteAllText($profilePath, $new) }
        else { [System.IO.File]::Delete($profilePath) }
    }
}
