# The hand-written commands' way to the engine: thin wrappers over MgGraph.Core.dll (loaded by
# the manifest), which binds the C ABI, keeps the process-wide session (shared by every
# runspace) and pumps a call's events onto the command's streams.

Set-StrictMode -Version 3.0

function Add-MgNativeSecret {
    # Hands a secret to the engine and returns the reference a request carries in its place,
    # @{ mggraphSecret = id }; the id is added to $Issued, which the caller frees with
    # Remove-MgNativeSecret once its call is over. The text never becomes a PowerShell string
    # or variable (Set-PSDebug -Trace 2 would print it): callers pass the value directly.
    param($Secret, [System.Collections.Generic.List[uint64]] $Issued)
    [MgGraph.PowerShell.Engine]::AddSecret($Secret, $Issued)
}

function Remove-MgNativeSecret {
    # Frees (and wipes) the secrets Add-MgNativeSecret handed to the engine.
    param([System.Collections.Generic.List[uint64]] $Issued)
    [MgGraph.PowerShell.Engine]::RemoveSecrets($Issued)
}
