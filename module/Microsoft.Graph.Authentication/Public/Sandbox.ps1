# Stand-ins for what a user does in a browser, for the sandbox tenant.

Set-StrictMode -Version 3.0

function Register-MgSandboxPasskey {
    <#
    .SYNOPSIS
    Signs a sandbox user in with a Temporary Access Pass and registers a passkey (sandbox only).

    .DESCRIPTION
    The sandbox's stand-in for the user going to https://aka.ms/mysecurityinfo, signing in with
    the pass and adding a passkey. A one-time pass is consumed; an expired, used or not yet
    valid pass is refused with the reason. The new passkey then lists as a
    fido2AuthenticationMethod. Works only when connected to a sandbox.

    .PARAMETER UserId
    The user's id or user principal name.
    .PARAMETER TemporaryAccessPass
    The pass, as New-MgUserAuthenticationTemporaryAccessPassMethod returned it.
    .PARAMETER DisplayName
    The passkey's name.

    .EXAMPLE
    $tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $upn -IsUsableOnce
    Register-MgSandboxPasskey -UserId $upn -TemporaryAccessPass $tap.TemporaryAccessPass -DisplayName 'YubiKey 5'

    Registers a passkey the way the user would in a browser.

    .OUTPUTS
    Microsoft.Graph.PowerShell.Models.IMicrosoftGraphFido2AuthenticationMethod
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('Microsoft.Graph.PowerShell.Models.IMicrosoftGraphFido2AuthenticationMethod')]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $UserId,
        [Parameter(Mandatory)] [string] $TemporaryAccessPass,
        [string] $DisplayName
    )
    process {
        if (-not (Test-MgShouldProcess $PSCmdlet $UserId 'Register a passkey')) { return }
        $params = @{ UserId = $UserId; TemporaryAccessPass = $TemporaryAccessPass }
        if ($DisplayName) { $params.DisplayName = $DisplayName }
        Invoke-MgBuiltin -Name 'Register-MgSandboxPasskey' -Params $params -Cmdlet $PSCmdlet -Model 'fido2AuthenticationMethod'
    }
}
