# The bridge between cmdlets and engine calls: start a call, pump its events onto the
# PowerShell streams, turn error descriptions into ErrorRecords, and run catalog commands
# (one call per pipeline record, or one streaming call in bulk mode).

Set-StrictMode -Version 3.0

$script:MgEvent = @{ Output = 1; Response = 2; Error = 3; Verbose = 4; Debug = 5; Warning = 6; Information = 7; Progress = 8; Meta = 9 }

# How long one native wait lasts: short enough that Ctrl+C is honoured at once.
$script:MgWaitSliceMs = [uint32]200

function Start-MgNativeCall {
    # Starts an engine call from its request (JSON text); returns the call handle.
    param([string] $Json)
    if (-not $script:MgNative) { Initialize-MgEngine }
    $call = [IntPtr]::Zero
    $status = $script:MgNative::mggraph_call_start($script:MgSession, [System.Text.Encoding]::UTF8.GetBytes($Json + [char]0), [ref]$call)
    if ($status -ne 0) {
        throw [System.InvalidOperationException]::new("MgGraph: the engine refused the request: $(Get-MgLastNativeError $status)")
    }
    $call
}

function Test-MgPreference {
    # Whether a preference variable's value ($VerbosePreference, $DebugPreference) asks for
    # the stream: the callers pass the calling command's (dynamic scope, set by -Verbose/-Debug).
    param($Value)
    $Value -ne 'SilentlyContinue' -and $Value -ne 'Ignore'
}

function ConvertTo-MgJsonText {
    # JSON for the engine's request envelopes and the values ConvertTo-MgWireValue made ready
    # (dictionaries, lists, strings and value types), as ConvertTo-Json writes them; other
    # objects are made ready here, by the same walker. Why not
    # ConvertTo-Json: its module (Microsoft.PowerShell.Utility) costs a fresh process about
    # 100 ms to load, and Connect-MgGraph would pay it before its first call; and it walks any
    # object it is given without end (a ScriptBlock's syntax tree), which user values must
    # never reach. $Depth guards the recursion; wire values stop far below it.
    param($Value, [int] $Depth)
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [string]) { return [Newtonsoft.Json.JsonConvert]::ToString([string]$Value) }
    if ($Value -is [bool] -or $Value -is [System.Management.Automation.SwitchParameter]) { return $(if ($Value) { 'true' } else { 'false' }) }
    if ($Value -is [System.Collections.IDictionary]) {
        if ($Depth -ge $script:MgMaxJsonDepth) { throw [System.ArgumentException]::new("MgGraph: a request is nested deeper than $script:MgMaxJsonDepth levels.") }
        $json = [System.Text.StringBuilder]::new('{')
        # Entries, not .Keys: $Value.Keys is the value of an entry named "keys" when there is one.
        foreach ($entry in $Value.GetEnumerator()) {
            if ($json.Length -gt 1) { $null = $json.Append(',') }
            $null = $json.Append([Newtonsoft.Json.JsonConvert]::ToString([string]$entry.Key)).Append(':').Append((ConvertTo-MgJsonText $entry.Value ($Depth + 1)))
        }
        return $json.Append('}').ToString()
    }
    if ($Value -is [System.Collections.IList]) {
        if ($Depth -ge $script:MgMaxJsonDepth) { throw [System.ArgumentException]::new("MgGraph: a request is nested deeper than $script:MgMaxJsonDepth levels.") }
        $json = [System.Text.StringBuilder]::new('[')
        foreach ($item in $Value) {
            if ($json.Length -gt 1) { $null = $json.Append(',') }
            $null = $json.Append((ConvertTo-MgJsonText $item ($Depth + 1)))
        }
        return $json.Append(']').ToString()
    }
    if ($Value -is [ValueType]) {
        # JSON has no NaN or infinity: ConvertTo-Json writes them as strings.
        if (($Value -is [double] -or $Value -is [single]) -and -not [double]::IsFinite($Value)) {
            return '"' + ([double]$Value).ToString([cultureinfo]::InvariantCulture) + '"'
        }
        # Numbers, enums (as numbers), chars, Guids, time spans and dates (ISO 8601).
        try { return [Newtonsoft.Json.JsonConvert]::ToString($Value) } catch { $null = $_ }
    }
    # Any other object: by its properties, through the bounded walker (once: what it returns
    # is a dictionary, or it throws).
    $wire = ConvertTo-MgWireValue $Value
    if ($wire -is [System.Collections.IDictionary]) { return (ConvertTo-MgJsonText $wire ($Depth + 1)) }
    throw [System.ArgumentException]::new("MgGraph: a value of type $($Value.GetType().FullName) cannot be written as JSON.")
}

function Stop-MgNativeCall {
    # Frees a call; freeing cancels it first if it is still running.
    param([IntPtr] $Call)
    if ($Call -ne [IntPtr]::Zero) { $null = $script:MgNative::mggraph_call_free($Call) }
}

function New-MgErrorRecord {
    # An ErrorRecord from the engine's description (message, errorId, category, target...).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)] [hashtable] $Description, [object] $TargetObject)
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $null = [Enum]::TryParse([string]$Description['category'], [ref]$category)
    $target = $TargetObject
    $response = $null
    $exception = if ($Description['response'] -is [System.Collections.IDictionary]) {
        # Invoke-MgGraphRequest: the SDK's HttpResponseException with the response; the HTTP
        # dump goes to ErrorDetails, the request is the target.
        $response = New-MgHttpResponseMessage -Envelope $Description['response']
        if ($null -eq $target) { $target = $response.RequestMessage }
        $type = (Get-MgInterop).Assembly.GetType('Microsoft.Graph.PowerShell.Authentication.Helpers.HttpResponseException', $true)
        $type::new("Response status code does not indicate success: $($response.StatusCode) ($($response.ReasonPhrase)).", $response)
    }
    # Input refused before anything was sent: the SDK raises ArgumentException for these.
    elseif ($category -eq [System.Management.Automation.ErrorCategory]::InvalidArgument) { [System.ArgumentException]::new([string]$Description['message']) }
    else { [System.Exception]::new([string]$Description['message']) }
    if ($null -eq $target -and $Description['target'] -is [System.Collections.IDictionary]) {
        $fields = $Description['target']
        # In bulk mode, which pipeline input (0-based) failed.
        if ($null -ne $Description['input']) { $fields['PipelineIndex'] = [int]$Description['input'] }
        $target = [pscustomobject]$fields
    }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, [string]$Description['errorId'], $category, $target)
    if ($Description['activity']) { $record.CategoryInfo.Activity = [string]$Description['activity'] }
    if ($Description['recommendedAction'] -or $response) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new([string]$Description['message'])
        if ($Description['recommendedAction']) { $record.ErrorDetails.RecommendedAction = [string]$Description['recommendedAction'] }
    }
    $record
}

function Write-MgProgressEvent {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Cmdlet, [Parameter(Mandatory)] [hashtable] $Record)
    $progress = [System.Management.Automation.ProgressRecord]::new(1, [string]$Record['activity'], 'Working')
    if ($Record['completed']) {
        $progress.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
    }
    else {
        $progress.StatusDescription = [string]$Record['status']
        if ($null -ne $Record['percent'] -and [int]$Record['percent'] -ge 0) { $progress.PercentComplete = [int]$Record['percent'] }
    }
    $Cmdlet.WriteProgress($progress)
}

function Set-MgMetaVariable {
    # Sets -CountVariable (global, as the SDK does) or -ResponseHeadersVariable (caller's scope).
    [CmdletBinding(SupportsShouldProcess = $false)]
    param([Parameter(Mandatory)] $Cmdlet, [Parameter(Mandatory)] [hashtable] $Meta)
    $value = $Meta['value']
    if ($value -is [System.Collections.IDictionary]) {
        $headers = [System.Collections.Generic.Dictionary[string, string[]]]::new([StringComparer]::OrdinalIgnoreCase)
        foreach ($e in $value.GetEnumerator()) { $headers[[string]$e.Key] = [string[]]@($e.Value) }
        $value = $headers
    }
    if ($Meta['scope'] -eq 'global') {
        Set-Variable -Name $Meta['variable'] -Value $value -Scope Global
    }
    else {
        $Cmdlet.SessionState.PSVariable.Set([string]$Meta['variable'], $value)
    }
}

function Invoke-MgEventPump {
    # Takes a call's events and writes them to the command's streams. Returns $true when the
    # call is finished, $false when -NoWait found nothing more ready. A plain function, as
    # every helper on the per-call path: an advanced function's binding costs tens of
    # microseconds a call.
    #   $ArrayType  output model array type ($null: plain JSON values)
    #   $Responses  collects RESPONSE envelopes (Invoke-MgGraphRequest) instead of writing them
    #   $Capture    collects output instead of writing it
    param([IntPtr] $Call, $Cmdlet, [type] $ArrayType, $Responses, $Capture, [bool] $NoWait)
    $native = $script:MgNative
    $kind = [uint32]0
    $payload = [IntPtr]::Zero
    $timeout = if ($NoWait) { [uint32]0 } else { $script:MgWaitSliceMs }
    $nested = $false
    while ($true) {
        $status = $native::mggraph_call_next($Call, $timeout, [ref]$kind, [ref]$payload)
        if ($status -eq 1) {
            if ($NoWait) { return $false }
            continue
        }
        if ($status -eq 2) { return $true }
        if ($status -ne 0) { throw [System.OperationCanceledException]::new("MgGraph: $(Get-MgLastNativeError $status)") }
        $text = [System.Runtime.InteropServices.Marshal]::PtrToStringUTF8($payload)
        $null = $native::mggraph_string_free($payload)
        if ($kind -eq 1) {
            $items = if ($ArrayType) { [Newtonsoft.Json.JsonConvert]::DeserializeObject($text, $ArrayType, $script:MgJsonSettings) }
            else { ConvertFrom-Json -InputObject $text -AsHashtable -NoEnumerate }
            if ($nested) {
                foreach ($i in $items) { ConvertFrom-MgNestedAdditional $i }
                $nested = $false
            }
            if ($null -ne $Capture) { foreach ($i in $items) { $Capture.Add($i) } }
            else { $Cmdlet.WriteObject($items, $true) }
            continue
        }
        switch ($kind) {
            2 { if ($null -ne $Responses) { $Responses.Add($text) } }
            3 {
                $description = ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String
                $record = New-MgErrorRecord -Description $description
                # Internal calls (no cmdlet) fail as exceptions.
                if ($null -eq $Cmdlet) { throw $record.Exception }
                if ($description['terminating']) { $Cmdlet.ThrowTerminatingError($record) }
                $Cmdlet.WriteError($record)
            }
            4 { $Cmdlet.WriteVerbose($text) }
            5 { $Cmdlet.WriteDebug($text) }
            6 { $Cmdlet.WriteWarning($text) }
            7 {
                $message = [System.Management.Automation.HostInformationMessage]@{ Message = $text }
                $Cmdlet.WriteInformation($message, [string[]]@('PSHOST'))
            }
            8 { Write-MgProgressEvent -Cmdlet $Cmdlet -Record (ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String) }
            9 {
                $meta = ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String
                if ($meta.ContainsKey('nestedAdditionalProperties')) { $nested = $true }
                else { Set-MgMetaVariable -Cmdlet $Cmdlet -Meta $meta }
            }
        }
    }
}

function Invoke-MgBuiltin {
    # Runs a hand-written command's engine call to completion. Plain functions on the way to
    # a first result: an advanced function's first call costs a fresh process milliseconds.
    param([string] $Name, [System.Collections.IDictionary] $Params, $Cmdlet, [string] $Model, $Responses, $Capture)
    $request = @{ command = $Name; params = $Params; verbose = Test-MgPreference $VerbosePreference; debug = Test-MgPreference $DebugPreference }
    $arrayType = if ($Model) { (Get-MgModelType $Model).MakeArrayType() } else { $null }
    $call = Start-MgNativeCall (ConvertTo-MgJsonText $request)
    try {
        $null = Invoke-MgEventPump $call $Cmdlet $arrayType $Responses $Capture $false
    }
    finally {
        Stop-MgNativeCall -Call $call
    }
}

# ---------------------------------------------------------------------------------------
# Values on the wire

function ConvertTo-MgUtcString {
    # A date as Graph wants it: UTC ISO 8601. Dates without a zone are local, as typed.
    param($Value)
    if ($Value -is [DateTimeOffset]) { return $Value.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ', [cultureinfo]::InvariantCulture) }
    $date = [datetime]$Value
    if ($date.Kind -ne [System.DateTimeKind]::Utc) { $date = $date.ToUniversalTime() }
    $date.ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ', [cultureinfo]::InvariantCulture)
}

function ConvertFrom-MgCultureDate {
    # A date string in the current culture's format (as (Get-Date).ToString() writes it), or
    # ISO 8601, as UTC ISO 8601; other strings are returned unchanged for Graph to judge.
    param([string] $Text)
    $styles = [System.Globalization.DateTimeStyles]::AssumeLocal -bor [System.Globalization.DateTimeStyles]::AllowWhiteSpaces
    $parsed = [datetime]::MinValue
    foreach ($culture in @([cultureinfo]::CurrentCulture, [cultureinfo]::InvariantCulture)) {
        if ([datetime]::TryParse($Text, $culture, $styles, [ref]$parsed)) { return (ConvertTo-MgUtcString $parsed) }
    }
    $Text
}

# How far ConvertTo-MgWireValue walks a user's value: far beyond any Graph body (Graph takes
# 4 MB at most), near enough that a circular or runaway value stops at once with an error
# instead of overflowing the stack or running without end. ConvertTo-MgJsonText's own guard
# leaves room for the request envelope around a value.
$script:MgMaxValueDepth = 64
$script:MgMaxValueContainers = 10000
$script:MgMaxJsonDepth = 80
$script:MgWalkSeen = $null
$script:MgWalkContainers = 0
$script:MgValueParameter = $null

function New-MgValueError {
    # The exception ConvertTo-MgWireValue throws for a value it cannot send. Data carries
    # the kind and the path (filled in as the walk unwinds); New-MgValueErrorRecord words it.
    param([string] $Kind, $Value)
    $what = if ($null -ne $Value) { $Value.GetType().FullName } else { '' }
    $exception = [System.ArgumentException]::new("MgGraph: $Kind ($what)")
    $exception.Data['MgGraph.ValueError'] = $Kind
    $exception.Data['MgGraph.ValueType'] = $what
    $exception.Data['MgGraph.ValuePath'] = [System.Collections.Generic.List[string]]::new()
    $exception
}

function Add-MgValuePathSegment {
    # Prepends a dictionary key or property name ([string]) or a list index ([int]) to the
    # path of a value error, as a script would write it: .name, ['odd key'], [3].
    param($ErrorRecord, $Segment)
    $data = $ErrorRecord.Exception.Data
    if (-not $data.Contains('MgGraph.ValuePath')) { return }
    $text = if ($Segment -is [int]) { "[$Segment]" }
    elseif ("$Segment" -match '^[A-Za-z_][A-Za-z0-9_]*$') { ".$Segment" }
    else { "['$("$Segment".Replace("'", "''"))']" }
    $data['MgGraph.ValuePath'].Insert(0, $text)
}

function New-MgValueErrorRecord {
    # The terminating error for a value ConvertTo-MgWireValue refused: names the parameter
    # and the path to the offending value. Other errors pass through unchanged.
    param([System.Management.Automation.ErrorRecord] $ErrorRecord, [string] $Parameter)
    $data = $ErrorRecord.Exception.Data
    if (-not $data.Contains('MgGraph.ValueError')) { return $ErrorRecord }
    if (-not $Parameter) { $Parameter = $script:MgValueParameter }
    $path = -join $data['MgGraph.ValuePath']
    $at = if ($path) { "the value at $path" } else { 'the value' }
    $kind = $data['MgGraph.ValueError']
    $message = switch ($kind) {
        'CircularReference' { "$at is a reference to one of its own containers (a circular reference), which JSON cannot represent." }
        'NestedTooDeep' { "the value is nested deeper than $script:MgMaxValueDepth levels at $path." }
        'ValueTooLarge' { "the value holds more than $script:MgMaxValueContainers dictionaries, lists and objects (stopped at $(if ($path) { $path } else { 'the top' }))." }
        'SecureString' { "$at is a SecureString, which cannot be sent in a request body." }
        default { "$at is a $($data['MgGraph.ValueType']), which cannot be sent as JSON." }
    }
    [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new("-${Parameter}: $message"),
        $kind, [System.Management.Automation.ErrorCategory]::InvalidArgument, $null)
}

function ConvertTo-MgWireValue {
    # Makes a parameter value JSON-ready: switches as booleans, dates as UTC ISO strings, URIs
    # as strings, dictionaries and objects (by their properties, as ConvertTo-Json writes them)
    # as ordered maps (with `DateKeys` parsed as dates), lists as arrays. The value is the
    # user's and may be anything, so containers are walked with a depth limit, an identity
    # set of the containers on the current path (a value holding itself) and a budget of
    # containers (shared sub-values repeated without end), and values that cannot be JSON
    # (script blocks, runspaces, pointers, COM objects...) are refused: each throws an
    # ArgumentException that New-MgValueErrorRecord words with the parameter and the path.
    # The identity set and the budget are the runspace's, reset by each walk's first container
    # (a walk allocates nothing more); $Depth is the walk so far (callers pass none).
    param($Value, [string[]] $DateKeys = @(), [int] $Depth)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) { return $Value }
    if ($Value -is [System.Management.Automation.SwitchParameter]) { return $Value.IsPresent }
    if ($Value -is [datetime] -or $Value -is [DateTimeOffset]) { return (ConvertTo-MgUtcString $Value) }
    $isObject = $false
    if ($Value -is [ValueType]) {
        if ($Value -is [IntPtr] -or $Value -is [UIntPtr]) { throw (New-MgValueError 'ValueNotJson' $Value) }
        if ($Value.GetType().IsPrimitive -or $Value -is [enum] -or $Value -is [decimal] -or $Value -is [guid] -or $Value -is [timespan]) { return $Value }
        # Other structs: by their properties, below.
        $isObject = $true
    }
    elseif ($Value -isnot [System.Collections.IDictionary] -and $Value -isnot [System.Collections.IEnumerable]) {
        if ($Value -is [uri]) { return $Value.OriginalString }
        if ($Value -is [System.Security.SecureString]) { throw (New-MgValueError 'SecureString' $Value) }
        # Objects whose properties lead into the engine's or the process's internals: walking
        # them (as ConvertTo-Json would) never ends, and no API takes them.
        if ($Value -is [scriptblock] -or $Value -is [delegate] -or $Value -is [System.Management.Automation.Runspaces.Runspace] -or
            $Value -is [System.Management.Automation.Runspaces.RunspacePool] -or $Value -is [powershell] -or
            $Value -is [System.Management.Automation.SessionState] -or $Value -is [System.Management.Automation.EngineIntrinsics] -or
            $Value -is [System.Management.Automation.Internal.InternalCommand] -or $Value -is [System.Management.Automation.CommandInfo] -or
            $Value -is [System.Reflection.MemberInfo] -or $Value -is [System.Reflection.Assembly] -or $Value -is [System.Reflection.Module] -or
            $Value -is [System.Reflection.Pointer] -or $Value -is [System.Runtime.InteropServices.SafeHandle] -or
            $Value -is [System.Threading.Tasks.Task] -or $Value -is [System.Threading.WaitHandle] -or $Value -is [System.Threading.Thread] -or
            $Value -is [System.IO.Stream] -or $Value -is [System.AppDomain] -or $Value.GetType().IsCOMObject) {
            throw (New-MgValueError 'ValueNotJson' $Value)
        }
        $isObject = $true
    }
    # A container: dictionary, list or object.
    if ($Depth -eq 0) {
        if ($null -eq $script:MgWalkSeen) {
            $script:MgWalkSeen = [System.Collections.Generic.HashSet[object]]::new([System.Collections.Generic.ReferenceEqualityComparer]::Instance)
        }
        # A walk that failed leaves its path behind: start clean.
        $script:MgWalkSeen.Clear()
        $script:MgWalkContainers = 0
    }
    elseif ($Depth -ge $script:MgMaxValueDepth) { throw (New-MgValueError 'NestedTooDeep' $Value) }
    if (-not $script:MgWalkSeen.Add($Value)) { throw (New-MgValueError 'CircularReference' $Value) }
    if (++$script:MgWalkContainers -gt $script:MgMaxValueContainers) { throw (New-MgValueError 'ValueTooLarge' $Value) }
    $next = $Depth + 1
    $segment = $null
    try {
        if ($isObject) {
            $out = [ordered]@{}
            foreach ($p in $Value.PSObject.Properties) {
                if ($p.MemberType -notin 'NoteProperty', 'Property') { continue }
                $segment = $p.Name
                $v = $p.Value
                if ($p.Name -eq 'AdditionalProperties' -and $v -is [System.Collections.IDictionary]) {
                    foreach ($e in $v.GetEnumerator()) {
                        $segment = [string]$e.Key
                        $out[$segment] = ConvertTo-MgWireValue $e.Value @() $next
                    }
                    continue
                }
                if ($null -eq $v) { continue }
                if ($v -is [string] -and $DateKeys -contains $p.Name) { $out[$p.Name] = ConvertFrom-MgCultureDate $v }
                else { $out[$p.Name] = ConvertTo-MgWireValue $v @() $next }
            }
        }
        elseif ($Value -is [System.Collections.IDictionary]) {
            $out = [ordered]@{}
            # Entries, not .Keys: $Value.Keys is the value of an entry named "keys" when there is one.
            foreach ($entry in $Value.GetEnumerator()) {
                $segment = [string]$entry.Key
                $v = $entry.Value
                if ($v -is [string] -and $DateKeys -contains $segment) { $out[$segment] = ConvertFrom-MgCultureDate $v }
                else { $out[$segment] = ConvertTo-MgWireValue $v @() $next }
            }
        }
        else {
            $segment = -1
            $out = @(foreach ($item in $Value) { $segment++; ConvertTo-MgWireValue $item @() $next })
        }
    }
    catch {
        Add-MgValuePathSegment $_ $segment
        throw
    }
    # Off the path: the same container may appear again beside it (shared, not circular).
    $null = $script:MgWalkSeen.Remove($Value)
    if ($out -is [array]) { return , $out }
    $out
}

function ConvertTo-MgBodyValue {
    # -BodyParameter as the engine takes it. In a JSON string, the values of the body's date
    # properties written in the culture's format (as (Get-Date).ToString() makes them) are
    # rewritten as ISO dates, in place: the text is not parsed here, so JSON that does not
    # parse reaches the engine untouched and it can say exactly where it broke.
    param($Value, [string[]] $DateKeys = @())
    if ($Value -is [string]) {
        if ($DateKeys.Count -eq 0) { return $Value }
        $names = ($DateKeys | ForEach-Object { [regex]::Escape($_) }) -join '|'
        $pattern = '("(?i:' + $names + ')"\s*:\s*")((?:[^"\\]|\\.)*)(")'
        return [regex]::Replace($Value, $pattern, {
                param($m)
                $text = $m.Groups[2].Value.Replace('\/', '/')
                $m.Groups[1].Value + (ConvertFrom-MgCultureDate $text) + $m.Groups[3].Value
            })
    }
    ConvertTo-MgWireValue $Value -DateKeys $DateKeys
}

# Created on first use (a generic type at import costs JIT time every session pays).
$script:MgCommonParameters = $null

function ConvertTo-MgParamsJson {
    # The bound parameters of one pipeline record as the engine's JSON object. Strings,
    # numbers and switches (nearly every call) are written here directly, not through
    # ConvertTo-MgJsonText: this runs for every call of every Graph cmdlet, and going through
    # an ordered map and one function call per value triples its cost (~20 -> ~65 µs).
    # Other values are made JSON-ready (ConvertTo-MgWireValue) and written by ConvertTo-MgJsonText.
    param([System.Collections.IDictionary] $Bound, [hashtable] $SetInfo)
    if ($null -eq $script:MgCommonParameters) {
        $script:MgCommonParameters = [System.Collections.Generic.HashSet[string]]::new(
            [string[]]@([System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters + 'ThrottleLimit'),
            [StringComparer]::OrdinalIgnoreCase)
    }
    $json = [System.Text.StringBuilder]::new('{')
    foreach ($name in $Bound.Keys) {
        if ($script:MgCommonParameters.Contains($name)) { continue }
        $value = $Bound[$name]
        $text = if ($value -is [string] -and $name -ne 'BodyParameter') {
            # A -BodyParameter string still needs its culture dates rewritten (below).
            [Newtonsoft.Json.JsonConvert]::ToString([string]$value)
        }
        elseif ($value -is [System.Management.Automation.SwitchParameter] -or $value -is [bool]) {
            if ($value) { 'true' } else { 'false' }
        }
        elseif ($value -is [int]) { $value.ToString([cultureinfo]::InvariantCulture) }
        elseif ($value -is [string[]]) {
            # -Property, -ExpandProperty...: no walk needed.
            $items = [string[]]::new($value.Length)
            for ($i = 0; $i -lt $items.Length; $i++) { $items[$i] = [Newtonsoft.Json.JsonConvert]::ToString($value[$i]) }
            '[' + [string]::Join(',', $items) + ']'
        }
        else {
            # Which parameter a refused value came from (New-MgValueErrorRecord).
            $script:MgValueParameter = $name
            $wire = switch ($name) {
                'InputObject' {
                    # Only the ids of the path travel: the rest of the object is not needed.
                    $identity = [ordered]@{}
                    foreach ($id in $SetInfo.Identity) {
                        $v = if ($value -is [System.Collections.IDictionary]) { $value[$id] }
                        else { $p = $value.PSObject.Properties[$id]; if ($p) { $p.Value } }
                        if ($null -ne $v) { $identity[$id] = [string]$v }
                    }
                    $identity
                }
                'BodyParameter' { ConvertTo-MgBodyValue $value -DateKeys $SetInfo.BodyDates }
                'AdditionalProperties' { ConvertTo-MgWireValue $value -DateKeys $SetInfo.BodyDates }
                default { ConvertTo-MgWireValue $value }
            }
            ConvertTo-MgJsonText $wire
        }
        if ($json.Length -gt 1) { $null = $json.Append(',') }
        $null = $json.Append('"').Append($name).Append('":').Append($text)
    }
    $json.Append('}').ToString()
}

# ---------------------------------------------------------------------------------------
# Catalog commands (called from the generated functions). Plain functions with as few calls
# as possible: this is the per-call path every Graph cmdlet pays.

# Per command: its metadata, dynamic-parameter templates and output array type, asked of
# the catalog (through the engine) once per runspace.
$script:MgCommandCache = @{}

$script:MgParameterTypes = @{
    'string' = [string]; 'string[]' = [string[]]; 'int' = [int]; 'long' = [long]; 'double' = [double]
    'switch' = [switch]; 'datetime' = [datetime]; 'object' = [object]; 'object[]' = [object[]]
    'System.Collections.IDictionary' = [System.Collections.IDictionary]; 'hashtable' = [hashtable]
}

function Get-MgCommandInfo {
    # A catalog command as the module binds and runs it: @{ Name; Output; DefaultSet;
    # Sets = @{ <set> = @{ Method; Path; Mutates; List; Identity; BodyDates } };
    # Parameters = @( @{ Name; Type; Attributes } ); PathParameters = @( names ) }.
    param([string] $Name)
    $cached = $script:MgCommandCache[$Name]
    if ($null -ne $cached) { return $cached }
    if (-not $script:MgNative) { Initialize-MgEngine }
    $answer = [System.Collections.Generic.List[object]]::new()
    $VerbosePreference = $DebugPreference = 'SilentlyContinue'
    Invoke-MgBuiltin -Name 'MgGraph.DescribeCommand' -Params @{ Name = $Name } -Cmdlet $null -Capture $answer
    $d = $answer[0]
    $sets = @{}
    foreach ($e in $d['sets'].GetEnumerator()) {
        $v = $e.Value
        $sets[$e.Key] = @{ Method = $v['method']; Path = $v['path']; Mutates = [bool]$v['mutates']; List = [bool]$v['list']; Identity = @($v['identity']); BodyDates = @($v['bodyDates']) }
    }
    $allSets = $sets.Count
    $parameters = [System.Collections.Generic.List[object]]::new()
    $paths = [System.Collections.Generic.List[string]]::new()
    foreach ($p in $d['params']) {
        $attributes = [System.Collections.ObjectModel.Collection[System.Attribute]]::new()
        $memberships = @($p['sets'])
        # In every set and mandatory in none: one attribute for all sets, as a param block writes it.
        $inAll = $memberships.Count -eq $allSets
        foreach ($m in $memberships) { if ($m[1]) { $inAll = $false } }
        $targets = [System.Collections.Generic.List[object]]::new()
        if ($inAll) { $targets.Add(@($null, $false)) } else { foreach ($m in $memberships) { $targets.Add($m) } }
        foreach ($m in $targets) {
            $a = [System.Management.Automation.ParameterAttribute]::new()
            if ($null -ne $m[0]) { $a.ParameterSetName = [string]$m[0] }
            $a.Mandatory = [bool]$m[1]
            $a.ValueFromPipeline = [bool]$p['pipeline']
            $a.ValueFromPipelineByPropertyName = [bool]$p['byPropertyName']
            $a.HelpMessage = [string]$p['help']
            $attributes.Add($a)
        }
        if (@($p['aliases']).Count -gt 0) { $attributes.Add([System.Management.Automation.AliasAttribute]::new([string[]]@($p['aliases']))) }
        if ($p.ContainsKey('validateRange')) { $attributes.Add([System.Management.Automation.ValidateRangeAttribute]::new([int]$p['validateRange'][0], [int]$p['validateRange'][1])) }
        if ($p.ContainsKey('path')) { $paths.Add([string]$p['name']) }
        $type = $script:MgParameterTypes[[string]$p['type']]
        if (-not $type) { $type = [object] }
        $parameters.Add(@{ Name = [string]$p['name']; Type = $type; Attributes = $attributes })
    }
    $cached = @{
        Name = [string]$d['name']; Output = $d['output']; DefaultSet = [string]$d['defaultSet']
        Sets = $sets; Parameters = $parameters; PathParameters = $paths; ArrayType = $null
    }
    if ($cached.Output) { $cached.ArrayType = (Get-MgModelType ([string]$cached.Output)).MakeArrayType() }
    $script:MgCommandCache[$Name] = $cached
    $cached
}

function Get-MgDynamicParameter {
    # dynamicparam{} of every Graph cmdlet: its parameters, from the catalog.
    param([string] $Name)
    $dictionary = [System.Management.Automation.RuntimeDefinedParameterDictionary]::new()
    foreach ($p in (Get-MgCommandInfo $Name).Parameters) {
        $dictionary.Add($p.Name, [System.Management.Automation.RuntimeDefinedParameter]::new($p.Name, $p.Type, $p.Attributes))
    }
    $dictionary
}

function Resolve-MgProfileCommand {
    # The command the engine runs for a cmdlet: with Select-MgProfile -Name beta, a v1.0-named
    # cmdlet runs its beta twin (SDK v1 behaviour).
    param([string] $Name)
    if ([System.AppDomain]::CurrentDomain.GetData('MgGraph.Profile') -ne 'beta') { return $Name }
    if ($Name -notmatch '^(\w+)-Mg(?!Beta)(.+)$') { return $Name }
    "$($Matches[1])-MgBeta$($Matches[2])"
}

function Start-MgCommand {
    # begin{}: the command's state; in bulk mode, the streaming call.
    param([string] $Name, $Cmdlet, [System.Collections.IDictionary] $Bound, $Verbose, $Debug)
    if (-not $script:MgNative) { Initialize-MgEngine }
    $info = Get-MgCommandInfo $Name
    $engineName = Resolve-MgProfileCommand $Name
    # The session-wide default lives in AppDomain data, shared by every runspace.
    $throttle = if ($Bound.ContainsKey('ThrottleLimit')) { [int]$Bound['ThrottleLimit'] }
    else { $d = [System.AppDomain]::CurrentDomain.GetData('MgGraph.ThrottleLimit'); if ($null -eq $d) { 1 } else { [int]$d } }
    # The cmdlet's own preferences (-Verbose, -Debug), passed in: it runs in another module,
    # whose variables this scope cannot see.
    $verbose = Test-MgPreference $Verbose
    $debug = Test-MgPreference $Debug
    $state = @{
        Name = $engineName; Cmdlet = $Cmdlet; Info = $info; ArrayType = $info.ArrayType
        # The tail of every request of this command: its trace switches.
        Flags = ',"verbose":' + $(if ($verbose) { 'true' } else { 'false' }) + ',"debug":' + $(if ($debug) { 'true' } else { 'false' }) + '}'
        Call = [IntPtr]::Zero
    }
    if ($throttle -gt 1) {
        $state.Call = Start-MgNativeCall (ConvertTo-MgJsonText @{ command = $engineName; streamInput = $true; throttleLimit = $throttle; verbose = $verbose; debug = $debug })
    }
    $state
}

function Invoke-MgCommandStep {
    # process{}: one pipeline record.
    param([hashtable] $State, [System.Collections.IDictionary] $Bound)
    $cmdlet = $State.Cmdlet
    $setName = $cmdlet.ParameterSetName
    $setInfo = $State.Info.Sets[$setName]
    if ($setInfo.Mutates) {
        $target = "Call remote '$($setInfo.Method) $($setInfo.Path)' operation"
        if (-not $cmdlet.ShouldProcess($target, "$($State.Name)_$setName")) { return }
    }
    foreach ($name in $State.Info.PathParameters) {
        # -OutFile and -InFile are PowerShell paths; the engine needs file-system ones.
        if ($Bound.ContainsKey($name)) { $Bound[$name] = $cmdlet.GetUnresolvedProviderPathFromPSPath([string]$Bound[$name]) }
    }
    try { $params = ConvertTo-MgParamsJson $Bound $setInfo }
    catch { $cmdlet.ThrowTerminatingError((New-MgValueErrorRecord $_)) }
    $set = [Newtonsoft.Json.JsonConvert]::ToString([string]$setName)
    $native = $script:MgNative
    if ($State.Call -ne [IntPtr]::Zero) {
        $json = '{"set":' + $set + ',"params":' + $params + '}'
        $status = $native::mggraph_call_push($State.Call, [System.Text.Encoding]::UTF8.GetBytes($json + [char]0))
        if ($status -ne 0) { throw [System.InvalidOperationException]::new("MgGraph: $(Get-MgLastNativeError $status)") }
        # Stream whatever is already done, without waiting.
        $null = Invoke-MgEventPump $State.Call $cmdlet $State.ArrayType $null $null $true
        return
    }
    $call = Start-MgNativeCall ('{"command":"' + $State.Name + '","set":' + $set + ',"params":' + $params + $State.Flags)
    try {
        $null = Invoke-MgEventPump $call $cmdlet $State.ArrayType $null $null $false
    }
    finally {
        # Freeing cancels the call first if it is still running (a stopped pipeline).
        $null = $native::mggraph_call_free($call)
    }
}

function Complete-MgCommand {
    # end{}: in bulk mode, waits for every pushed input and releases the call.
    param([hashtable] $State)
    if ($null -eq $State) { return }
    $call = $State.Call
    if ($call -eq [IntPtr]::Zero) { return }
    try {
        $null = $script:MgNative::mggraph_call_finish_input($call)
        $null = Invoke-MgEventPump $call $State.Cmdlet $State.ArrayType $null $null $false
    }
    finally {
        $State.Call = [IntPtr]::Zero
        $null = $script:MgNative::mggraph_call_free($call)
    }
}

function Stop-MgCommand {
    # clean{}: runs even when the pipeline is stopped; cancels in-flight bulk work.
    param([hashtable] $State)
    if ($null -eq $State -or $State.Call -eq [IntPtr]::Zero) { return }
    $call = $State.Call
    $State.Call = [IntPtr]::Zero
    $null = $script:MgNative::mggraph_call_free($call)
}
