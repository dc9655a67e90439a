# Engine calls of the hand-written commands (Connect-MgGraph, Invoke-MgGraphRequest, ...).
# The generated Graph cmdlets are compiled (MgGraph.PowerShell.MgCatalogCmdlet); these
# wrappers give the script functions the same engine path.

Set-StrictMode -Version 3.0

function Test-MgPreference {
    # Whether a preference variable's value ($VerbosePreference, $DebugPreference) asks for
    # the stream: the callers pass the calling command's (dynamic scope, set by -Verbose/-Debug).
    param($Value)
    $Value -ne 'SilentlyContinue' -and $Value -ne 'Ignore'
}

function Invoke-MgBuiltin {
    # Runs a hand-written command's engine call to completion, writing its events to $Cmdlet's
    # streams. $Model: the catalog model id of its output; $Responses collects response
    # envelopes (Invoke-MgGraphRequest); $Capture collects output instead of writing it.
    param([string] $Name, [System.Collections.IDictionary] $Params, $Cmdlet, [string] $Model, $Responses, $Capture)
    [MgGraph.PowerShell.Engine]::InvokeBuiltin($Name, $Params, $Cmdlet, $Model, $Responses, $Capture,
        (Test-MgPreference $VerbosePreference), (Test-MgPreference $DebugPreference))
}

function ConvertTo-MgWireValue {
    # A user's value JSON-ready, through the compiled walker (depth, cycle and size limits;
    # values no API takes are refused with an ArgumentException New-MgValueErrorRecord words).
    param($Value, [string[]] $DateKeys = @())
    [MgGraph.PowerShell.WireValue]::Convert($Value, $DateKeys)
}

function New-MgValueErrorRecord {
    # The terminating error for a value ConvertTo-MgWireValue refused, naming the parameter
    # and the path to the offending value; other errors pass through unchanged.
    param([System.Management.Automation.ErrorRecord] $ErrorRecord, [string] $Parameter)
    [MgGraph.PowerShell.WireValue]::ValueErrorRecord($ErrorRecord, $Parameter)
}

function Test-MgShouldProcess {
    # ShouldProcess that stops the command when the confirmation cannot be answered (a host
    # with no UI, -NonInteractive, a job): a method's exception is only statement-terminating
    # in script, so `if (-not $PSCmdlet.ShouldProcess(...)) { return }` would go on and act.
    param($Cmdlet, [string] $Target, [string] $Action)
    try { $Cmdlet.ShouldProcess($Target, $Action) }
    catch {
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $inner.InnerException) { $inner = $inner.InnerException }
        $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new($inner, 'ConfirmationNotAnswered', 'OperationStopped', $Target))
    }
}
