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
$script:MgSdkModuleRoot = if ([System.IO.Directory]::Exists("$PSScriptRoot/sdk")) { "$PSScriptRoot/sdk" } else { [System.IO.Path]::GetDirectoryName($PSScriptRoot) }
if (($env:PSModulePath -split [System.IO.Path]::PathSeparator) -notcontains $script:MgSdkModuleRoot) {
    $env:PSModulePath = $script:MgSdkModuleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
}
