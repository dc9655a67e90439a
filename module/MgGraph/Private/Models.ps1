# Output objects with the SDK's type names.
#
# Each catalog model becomes a real .NET class (Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser,
# ...) emitted on first use (Interop.ps1), with one public field per property and an AdditionalProperties
# dictionary that receives every JSON member the model does not declare, exactly as the SDK
# projects polymorphic results onto their declared type. Pages are deserialized straight into
# arrays of these classes by Newtonsoft.Json (which PowerShell itself ships), so no per-object
# script runs: that is what keeps -All as fast as the wire.

Set-StrictMode -Version 3.0

$script:MgJsonSettings = $null

function Get-MgJsonSettings {
    # Created on first use: touching Newtonsoft.Json at import would cost ~20 ms.
    if (-not $script:MgJsonSettings) {
        $script:MgJsonSettings = [Newtonsoft.Json.JsonSerializerSettings]@{
            # Graph JSON has no $id/$ref metadata; never let such keys drive deserialization.
            MetadataPropertyHandling = [Newtonsoft.Json.MetadataPropertyHandling]::Ignore
            DateTimeZoneHandling     = [Newtonsoft.Json.DateTimeZoneHandling]::Utc
            DateParseHandling        = [Newtonsoft.Json.DateParseHandling]::DateTime
        }
    }
    $script:MgJsonSettings
}

$script:MgModelTypes = @{}

function Get-MgModelType {
    # The .NET class of a catalog model (by id), from the assembly Get-MgInterop made.
    param([string] $Id)
    $type = $script:MgModelTypes[$Id]
    if ($type) { return $type }
    $model = $script:MgModels[$Id]
    if (-not $model) { throw "MgGraph: unknown model '$Id'." }
    $type = (Get-MgInterop).Assembly.GetType("$($model.Namespace).$($model.Class)", $true)
    $script:MgModelTypes[$Id] = $type
    $type
}

function ConvertFrom-MgJsonArray {
    # Deserializes a JSON array of Graph objects into model objects (or plain values).
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Json, [type] $ArrayType)
    if ($ArrayType) {
        return , [Newtonsoft.Json.JsonConvert]::DeserializeObject($Json, $ArrayType, (Get-MgJsonSettings))
    }
    , (ConvertFrom-Json -InputObject $Json -AsHashtable -NoEnumerate)
}

function ConvertFrom-MgJToken {
    # JSON tokens as PowerShell values: objects as hashtables, arrays as object[].
    param([AllowNull()] $Token)
    if ($Token -is [Newtonsoft.Json.Linq.JObject]) {
        $table = [hashtable]::new([StringComparer]::OrdinalIgnoreCase)
        foreach ($p in $Token.Properties()) { $table[$p.Name] = ConvertFrom-MgJToken $p.Value }
        return $table
    }
    if ($Token -is [Newtonsoft.Json.Linq.JArray]) {
        return , [object[]]@(foreach ($t in $Token) { ConvertFrom-MgJToken $t })
    }
    if ($Token -is [Newtonsoft.Json.Linq.JValue]) { return $Token.Value }
    $Token
}

function ConvertFrom-MgNestedAdditional {
    # Replaces JSON tokens in an object's AdditionalProperties by hashtables and arrays, as the
    # SDK's dictionaries hold them.
    param([Parameter(Mandatory)] $Item)
    $additional = $Item.AdditionalProperties
    if ($null -eq $additional) { return }
    # Keys through the enumerator: .Keys would be the value of a member named "keys".
    foreach ($key in @(foreach ($e in $additional.GetEnumerator()) { $e.Key })) {
        if ($additional[$key] -is [Newtonsoft.Json.Linq.JToken]) { $additional[$key] = ConvertFrom-MgJToken $additional[$key] }
    }
}
