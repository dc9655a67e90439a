# MgGraph: Microsoft Graph cmdlets on a native engine.
#
# Import does three cheap things: dot-source the scripts, bind the engine's C functions (once
# per process) and take the shared session handle. Model types and JSON settings are created on
# first use, not here.

Set-StrictMode -Version 3.0

$script:MgModuleRoot = $PSScriptRoot

. "$PSScriptRoot/Private/Native.ps1"
. "$PSScriptRoot/Private/Models.ps1"
. "$PSScriptRoot/Private/Runtime.ps1"
. "$PSScriptRoot/Public/Authentication.ps1"
. "$PSScriptRoot/Public/Requests.ps1"
. "$PSScriptRoot/Public/Sandbox.ps1"
. "$PSScriptRoot/MgGraph.Commands.ps1"

$script:MgNative = Initialize-MgNative
$script:MgSession = Initialize-MgSession

Set-Alias -Name Connect-Graph -Value Connect-MgGraph
Set-Alias -Name Disconnect-Graph -Value Disconnect-MgGraph
Set-Alias -Name Invoke-GraphRequest -Value Invoke-MgGraphRequest
