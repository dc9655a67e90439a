# Output objects with the SDK's type names.
#
# Each catalog model becomes a real .NET class (Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser,
# ...) emitted on first use, with one public field per property and an AdditionalProperties
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

function Get-MgModelStore {
    # The process-wide model registry: one emitted type per model, shared by all runspaces.
    $key = 'MgGraph.Models.v1'
    $store = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($null -eq $store) {
        $assembly = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly(
            [System.Reflection.AssemblyName]::new('MgGraph.Models'), [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
        $store = @{
            Module = $assembly.DefineDynamicModule('MgGraph.Models')
            Types  = [System.Collections.Concurrent.ConcurrentDictionary[string, type]]::new()
            Lock   = [object]::new()
        }
        [System.AppDomain]::CurrentDomain.SetData($key, $store)
        $store = [System.AppDomain]::CurrentDomain.GetData($key)
    }
    $store
}

function Get-MgModelType {
    # The .NET type of a catalog model (by id), emitting it and its nested models if needed.
    [CmdletBinding()]
    [OutputType([type])]
    param([Parameter(Mandatory)] [string] $Id)
    $store = Get-MgModelStore
    $found = $null
    if ($store.Types.TryGetValue($Id, [ref]$found)) { return $found }
    [System.Threading.Monitor]::Enter($store.Lock)
    try {
        if ($store.Types.TryGetValue($Id, [ref]$found)) { return $found }
        $model = $script:MgModels[$Id]
        if (-not $model) { throw "MgGraph: unknown model '$Id'." }
        $builder = $store.Module.DefineType("$($model.Namespace).$($model.Class)", [System.Reflection.TypeAttributes]'Public, Class')
        $public = [System.Reflection.FieldAttributes]::Public
        foreach ($name in $model.Properties.Keys) {
            $null = $builder.DefineField($name, (Resolve-MgPropertyType $model.Properties[$name]), $public)
        }
        if ($model.Additional) {
            $dictionary = [System.Collections.Generic.IDictionary[string, object]]
            $field = $builder.DefineField('AdditionalProperties', $dictionary, $public)
            $field.SetCustomAttribute([System.Reflection.Emit.CustomAttributeBuilder]::new(
                    [Newtonsoft.Json.JsonExtensionDataAttribute].GetConstructor([type]::EmptyTypes), @()))
            # A constructor that starts AdditionalProperties empty (never null), as the SDK does.
            $ctor = $builder.DefineConstructor([System.Reflection.MethodAttributes]'Public, HideBySig, SpecialName, RTSpecialName',
                [System.Reflection.CallingConventions]::Standard, [type]::EmptyTypes)
            $il = $ctor.GetILGenerator()
            $il.Emit([System.Reflection.Emit.OpCodes]::Ldarg_0)
            $il.Emit([System.Reflection.Emit.OpCodes]::Call, [object].GetConstructor([type]::EmptyTypes))
            $il.Emit([System.Reflection.Emit.OpCodes]::Ldarg_0)
            $il.Emit([System.Reflection.Emit.OpCodes]::Newobj, [System.Collections.Generic.Dictionary[string, object]].GetConstructor([type]::EmptyTypes))
            $il.Emit([System.Reflection.Emit.OpCodes]::Stfld, $field)
            $il.Emit([System.Reflection.Emit.OpCodes]::Ret)
        }
        $type = $builder.CreateType()
        $null = $store.Types.TryAdd($Id, $type)
        $type
    }
    finally {
        [System.Threading.Monitor]::Exit($store.Lock)
    }
}

function Resolve-MgPropertyType {
    # The field type for a property type name of the generated model table.
    [CmdletBinding()]
    [OutputType([type])]
    param([Parameter(Mandatory)] [string] $Name)
    switch -Regex ($Name) {
        '^string$' { return [string] }
        '^int$' { return [Nullable[int]] }
        '^bool$' { return [Nullable[bool]] }
        '^datetime$' { return [Nullable[datetime]] }
        '^string\[\]$' { return [string[]] }
        '^model:(.+)$' { return (Get-MgModelType $Matches[1]) }
        '^model\[\]:(.+)$' { return (Get-MgModelType $Matches[1]).MakeArrayType() }
        default { return [object] }
    }
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
    foreach ($key in @($additional.Keys)) {
        if ($additional[$key] -is [Newtonsoft.Json.Linq.JToken]) { $additional[$key] = ConvertFrom-MgJToken $additional[$key] }
    }
}
