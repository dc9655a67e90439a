# Raw requests: Invoke-MgGraphRequest and Invoke-MgGraphBatchRequest.

Set-StrictMode -Version 3.0

function ConvertTo-MgHashtable {
    # JSON-parsed dictionaries as the SDK returns them: case-insensitive Hashtables, arrays as
    # object[].
    param([AllowNull()] $Value)
    if ($Value -is [System.Collections.IDictionary]) {
        $table = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
        # Entries, not .Keys: .Keys would be the value of a member named "keys".
        foreach ($e in $Value.GetEnumerator()) { $table[$e.Key] = ConvertTo-MgHashtable $e.Value }
        return $table
    }
    if ($Value -is [System.Collections.IList] -and $Value -isnot [string]) {
        $items = [object[]]::new($Value.Count)
        for ($i = 0; $i -lt $Value.Count; $i++) { $items[$i] = ConvertTo-MgHashtable $Value[$i] }
        return , $items
    }
    $Value
}

function ConvertFrom-MgResponseBody {
    # A response body in the requested -OutputType.
    param([string] $Text, [string] $ContentType, [string] $OutputType)
    $isJson = $ContentType -match 'json' -or ($ContentType -eq '' -and $Text -match '^\s*[\{\[]')
    if ($OutputType -eq 'Json' -or -not $isJson) { return $Text }
    if ($OutputType -eq 'PSObject') { return (ConvertFrom-Json -InputObject $Text) }
    ConvertTo-MgHashtable (ConvertFrom-Json -InputObject $Text -AsHashtable -NoEnumerate)
}

function New-MgHttpResponseMessage {
    # A real System.Net.Http.HttpResponseMessage from the engine's response envelope.
    param([Parameter(Mandatory)] [hashtable] $Envelope)
    [MgGraph.PowerShell.ResponseMessages]::FromEnvelope($Envelope)
}

function Invoke-MgGraphRequest {
    <#
    .SYNOPSIS
    Sends any request to Microsoft Graph with the current connection.

    .DESCRIPTION
    -Uri is absolute, or relative starting with the API version (/v1.0/..., v1.0/..., /beta/...,
    beta/...), resolved against the current environment's Graph endpoint. The token is sent only
    to that host. Collections are not paged for you: follow @odata.nextLink. By default the
    JSON response comes back as a case-insensitive hashtable, as in the SDK.

    .PARAMETER Method
    GET (default), POST, PUT, PATCH, DELETE, HEAD or OPTIONS.
    .PARAMETER Uri
    The request URI.
    .PARAMETER Body
    A hashtable or object (sent as JSON), or a string (sent as it is). On GET a hashtable
    becomes the query string.
    .PARAMETER Headers
    Extra request headers.
    .PARAMETER OutputFilePath
    Writes the response body to this file.
    .PARAMETER InferOutputFileName
    With -OutputFilePath as a folder, names the file after the URI's last segment.
    .PARAMETER InputFilePath
    Sends this file's bytes as the body.
    .PARAMETER PassThru
    With -OutputFilePath, also returns the response.
    .PARAMETER SkipHeaderValidation
    Accepted for compatibility; headers are passed as given.
    .PARAMETER ContentType
    The body's content type (default application/json).
    .PARAMETER ResponseHeadersVariable
    A variable that receives the response headers.
    .PARAMETER StatusCodeVariable
    A variable that receives the HTTP status code.
    .PARAMETER SkipHttpErrorCheck
    Returns error responses instead of raising an error.
    .PARAMETER UserAgent
    Accepted for compatibility.
    .PARAMETER OutputType
    HashTable (default), PSObject, Json or HttpResponseMessage.

    .EXAMPLE
    Invoke-MgGraphRequest -Method GET -Uri "/beta/users/$userId/authentication/requirements"

    Reads a user's per-user MFA state as a hashtable.

    .EXAMPLE
    Invoke-MgGraphRequest -Method PATCH -Uri "/beta/users/$userId/authentication/requirements" -Body @{ perUserMfaState = 'enabled' }

    Enables per-user MFA.

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/invoke-mggraphrequest
    #>
    [CmdletBinding(PositionalBinding = $false)]
    [Alias('Invoke-GraphRequest')]
    param(
        [Parameter(Position = 1)]
        [ValidateSet('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')]
        [string] $Method = 'GET',

        [Parameter(Position = 2, Mandatory)]
        [uri] $Uri,

        [Parameter(Position = 3, ValueFromPipeline)]
        [object] $Body,

        [Parameter(Position = 4)]
        [System.Collections.IDictionary] $Headers,

        [Parameter(Position = 5)]
        [string] $OutputFilePath,

        [Parameter()]
        [switch] $InferOutputFileName,

        [Parameter(Position = 7)]
        [string] $InputFilePath,

        [Parameter()]
        [switch] $PassThru,

        [Parameter()]
        [switch] $SkipHeaderValidation,

        [Parameter(Position = 11)]
        [string] $ContentType,

        [Parameter(Position = 14)]
        [Alias('RHV')]
        [string] $ResponseHeadersVariable,

        [Parameter(Position = 15)]
        [string] $StatusCodeVariable,

        [Parameter()]
        [switch] $SkipHttpErrorCheck,

        [Parameter(Position = 18)]
        [string] $UserAgent,

        [Parameter(Position = 19)]
        [ValidateSet('HashTable', 'PSObject', 'HttpResponseMessage', 'Json')]
        [string] $OutputType = 'HashTable'
    )
    process {
        if ($PassThru -and -not $OutputFilePath) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentException]::new('-PassThru requires -OutputFilePath.'), 'PassThruWithoutOutputFile', 'InvalidArgument', $null))
        }
        $params = @{ Method = $Method; Uri = $Uri.OriginalString }
        $name = 'Body'
        try {
            if ($PSBoundParameters.ContainsKey('Body') -and $null -ne $Body) { $params.Body = ConvertTo-MgWireValue $Body }
            $name = 'Headers'
            if ($Headers) { $params.Headers = ConvertTo-MgWireValue $Headers }
        }
        catch { $PSCmdlet.ThrowTerminatingError((New-MgValueErrorRecord $_ $name)) }
        if ($ContentType) { $params.ContentType = $ContentType }
        if ($SkipHttpErrorCheck) { $params.SkipHttpErrorCheck = $true }
        if ($InputFilePath) {
            $path = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($InputFilePath)
            $params.BodyBase64 = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($path))
        }
        $responses = [System.Collections.Generic.List[string]]::new()
        Invoke-MgBuiltin -Name 'Invoke-MgGraphRequest' -Params $params -Cmdlet $PSCmdlet -Responses $responses
        foreach ($text in $responses) {
            $envelope = ConvertFrom-Json -InputObject $text -AsHashtable -DateKind String
            if ($StatusCodeVariable) { $PSCmdlet.SessionState.PSVariable.Set($StatusCodeVariable, [int]$envelope['status']) }
            if ($ResponseHeadersVariable) {
                $headerTable = [System.Collections.Generic.Dictionary[string, string[]]]::new([StringComparer]::OrdinalIgnoreCase)
                foreach ($pair in $envelope['headers']) {
                    $headerTable[$pair[0]] = if ($headerTable.ContainsKey($pair[0])) { $headerTable[$pair[0]] + [string]$pair[1] } else { [string[]]@($pair[1]) }
                }
                $PSCmdlet.SessionState.PSVariable.Set($ResponseHeadersVariable, $headerTable)
            }
            if ($OutputFilePath) {
                $target = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputFilePath)
                if ($InferOutputFileName -or [System.IO.Directory]::Exists($target)) {
                    $target = [System.IO.Path]::Combine($target, ([uri]$envelope['uri']).Segments[-1])
                }
                $bytes = if ($null -ne $envelope['bodyBase64']) { [Convert]::FromBase64String($envelope['bodyBase64']) }
                else { [System.Text.Encoding]::UTF8.GetBytes([string]$envelope['body']) }
                [System.IO.File]::WriteAllBytes($target, $bytes)
                if (-not $PassThru) { continue }
            }
            if ($OutputType -eq 'HttpResponseMessage') { New-MgHttpResponseMessage -Envelope $envelope; continue }
            if ($null -ne $envelope['bodyBase64']) { , [Convert]::FromBase64String($envelope['bodyBase64']); continue }
            if ($null -eq $envelope['body'] -or $envelope['body'] -eq '') { continue }
            ConvertFrom-MgResponseBody -Text $envelope['body'] -ContentType ([string]$envelope['contentType']) -OutputType $OutputType
        }
    }
}

function Invoke-MgGraphBatchRequest {
    <#
    .SYNOPSIS
    Sends many requests as JSON batches ($batch, 20 per request) and returns the answers in order.

    .DESCRIPTION
    Each request is a hashtable with Method and Url (relative, with or without the version),
    and optionally Id, Headers, Body and DependsOn. Requests chained by DependsOn travel in the
    same batch; steps the service throttles inside a batch are retried on their own after their
    Retry-After. Answers come back in the order of -Requests, with Id, Status, Headers and Body.

    .PARAMETER Requests
    The requests to send.
    .PARAMETER ApiVersion
    v1.0 (default) or beta.

    .EXAMPLE
    $users | ForEach-Object { @{ Method = 'GET'; Url = "/users/$($_.Id)/authentication/methods" } } | Invoke-MgGraphBatchRequest

    Reads many users' methods in 1/20 of the round trips.

    .LINK
    https://learn.microsoft.com/graph/json-batching
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)] [object[]] $Requests,
        [ValidateSet('v1.0', 'beta')] [string] $ApiVersion = 'v1.0'
    )
    begin { $all = [System.Collections.Generic.List[object]]::new() }
    process {
        try { foreach ($r in $Requests) { $all.Add((ConvertTo-MgWireValue $r)) } }
        catch { $PSCmdlet.ThrowTerminatingError((New-MgValueErrorRecord $_ 'Requests')) }
    }
    end {
        $answers = [System.Collections.Generic.List[object]]::new()
        Invoke-MgBuiltin -Name 'Invoke-MgGraphBatchRequest' -Params @{ Requests = $all.ToArray(); ApiVersion = $ApiVersion } -Cmdlet $PSCmdlet -Capture $answers
        foreach ($a in $answers) {
            $h = ConvertTo-MgHashtable $a
            [pscustomobject]@{ Id = $h['id']; Status = [int]$h['status']; Headers = $h['headers']; Body = $h['body'] }
        }
    }
}
