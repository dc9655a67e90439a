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
    # The .NET class of a catalog model (by id): a hand-written model's from the assembly
    # Get-MgInterop made, a generated model's emitted on first use (Get-MgGeneratedModelType).
    param([string] $Id)
    $type = $script:MgModelTypes[$Id]
    if ($type) { return $type }
    $model = $script:MgModels[$Id]
    $type = if ($model) { (Get-MgInterop).Assembly.GetType("$($model.Namespace).$($model.Class)", $true) }
    else { Get-MgGeneratedModelType $Id }
    $script:MgModelTypes[$Id] = $type
    $type
}

function Get-MgGeneratedModelType {
    # A generated model's class and those of the complex types its properties use, emitted
    # once per process into an in-memory assembly shared by every runspace (AppDomain data).
    # Thousands of models exist; a command pays only for the ones it returns.
    param([string] $Id)
    $domain = [System.AppDomain]::CurrentDomain
    $key = "MgGraph.Models.$script:MgBuildId"
    [System.Threading.Monitor]::Enter($domain)
    try {
        $state = $domain.GetData($key)
        if (-not $state) {
            $assembly = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly(
                [System.Reflection.AssemblyName]::new('MgGraph.Models'), [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
            $state = @{ Module = $assembly.DefineDynamicModule('MgGraph.Models'); Types = [System.Collections.Generic.Dictionary[string, type]]::new([StringComparer]::OrdinalIgnoreCase) }
            $domain.SetData($key, $state)
        }
        $type = $null
        if ($state.Types.TryGetValue($Id, [ref]$type)) { return $type }
        $answer = [System.Collections.Generic.List[object]]::new()
        # An internal question: no -Verbose/-Debug traces of it on the caller's streams.
        $VerbosePreference = $DebugPreference = 'SilentlyContinue'
        Invoke-MgBuiltin -Name 'MgGraph.DescribeModels' -Params @{ Id = $Id } -Cmdlet $null -Capture $answer
        if ($answer.Count -eq 0) { throw "MgGraph: unknown model '$Id'." }
        $models = [ordered]@{}
        foreach ($m in $answer[0]['models']) {
            if ($state.Types.ContainsKey([string]$m['id'])) { continue }
            $properties = [ordered]@{}
            foreach ($p in $m['properties']) { $properties[[string]$p[0]] = [string]$p[1] }
            $models[[string]$m['id']] = @{ Namespace = $m['namespace']; Class = $m['class']; Additional = [bool]$m['additional']; Properties = $properties; Aliases = @($m['aliases']) }
        }
        $created = Add-MgModelTypes -Module $state.Module -Models $models -Known $state.Types
        foreach ($e in $created.GetEnumerator()) { $state.Types[$e.Key] = $e.Value }
        # A hand-written id (fido2AuthenticationMethod) stands for its qualified generated model.
        $state.Types[$Id] = $state.Types[[string]$answer[0]['models'][0]['id']]
        $state.Types[$Id]
    }
    finally { [System.Threading.Monitor]::Exit($domain) }
}

function Add-MgModelTypes {
    # Defines model classes in a dynamic module and returns them (id -> type). $Models maps
    # id -> @{ Namespace; Class; Additional; Properties = [ordered]@{ Name = kind }; Aliases };
    # $Known holds types made before, which fields may use. Every class is declared first,
    # so fields can refer to any model of the batch.
    param([System.Reflection.Emit.ModuleBuilder] $Module, [System.Collections.IDictionary] $Models, [System.Collections.IDictionary] $Known)
    $types = @{}
    foreach ($id in $Models.Keys) {
        $model = $Models[$id]
        $types[$id] = $Module.DefineType("$($model.Namespace).$($model.Class)", [System.Reflection.TypeAttributes]'Public, Class')
    }
    $lookup = {
        param([string] $Ref)
        if ($types.ContainsKey($Ref)) { return $types[$Ref] }
        if ($Known.ContainsKey($Ref)) { return $Known[$Ref] }
        $null
    }
    $public = [System.Reflection.FieldAttributes]::Public
    $extensionData = [Newtonsoft.Json.JsonExtensionDataAttribute].GetConstructor([type]::EmptyTypes)
    $dictionary = [System.Collections.Generic.IDictionary[string, object]]
    $newDictionary = [System.Collections.Generic.Dictionary[string, object]].GetConstructor([type]::EmptyTypes)
    $objectCtor = [object].GetConstructor([type]::EmptyTypes)
    $opcodes = [System.Reflection.Emit.OpCodes]
    foreach ($id in $Models.Keys) {
        $model = $Models[$id]
        $type = $types[$id]
        $fields = @{}
        foreach ($name in $model.Properties.Keys) {
            $kind = $model.Properties[$name]
            $fieldType = switch -Regex ($kind) {
                '^string$' { [string]; break }
                '^int$' { [Nullable[int]]; break }
                '^long$' { [Nullable[long]]; break }
                '^double$' { [Nullable[double]]; break }
                '^bool$' { [Nullable[bool]]; break }
                '^datetime$' { [Nullable[datetime]]; break }
                '^string\[\]$' { [string[]]; break }
                '^model:(.+)$' { & $lookup $Matches[1]; break }
                '^model\[\]:(.+)$' { $t = & $lookup $Matches[1]; if ($t) { $t.MakeArrayType() }; break }
                default { [object] }
            }
            # A model the batch was cut short of (a very large closure) is held untyped.
            if ($null -eq $fieldType) { $fieldType = [object] }
            $fields[$name] = $type.DefineField($name, $fieldType, $public)
        }
        # Alias properties (a user's UserId is its Id) let objects bind by property name.
        if ($model.ContainsKey('Aliases')) {
            foreach ($pair in $model.Aliases) {
                $target = $fields[[string]$pair[1]]
                if (-not $target -or $fields.ContainsKey([string]$pair[0])) { continue }
                $getter = $type.DefineMethod("get_$($pair[0])", [System.Reflection.MethodAttributes]'Public, HideBySig, SpecialName', $target.FieldType, [type]::EmptyTypes)
                $il = $getter.GetILGenerator()
                $il.Emit($opcodes::Ldarg_0)
                $il.Emit($opcodes::Ldfld, $target)
                $il.Emit($opcodes::Ret)
                $property = $type.DefineProperty([string]$pair[0], [System.Reflection.PropertyAttributes]::None, $target.FieldType, [type]::EmptyTypes)
                $property.SetGetMethod($getter)
            }
        }
        if ($model.Additional) {
            # AdditionalProperties receives every JSON member the model does not declare, and
            # starts empty (never null), as the SDK's does.
            $field = $type.DefineField('AdditionalProperties', $dictionary, $public)
            $field.SetCustomAttribute([System.Reflection.Emit.CustomAttributeBuilder]::new($extensionData, @()))
            $ctor = $type.DefineConstructor([System.Reflection.MethodAttributes]'Public, HideBySig, SpecialName, RTSpecialName',
                [System.Reflection.CallingConventions]::Standard, [type]::EmptyTypes)
            $il = $ctor.GetILGenerator()
            $il.Emit($opcodes::Ldarg_0)
            $il.Emit($opcodes::Call, $objectCtor)
            $il.Emit($opcodes::Ldarg_0)
            $il.Emit($opcodes::Newobj, $newDictionary)
            $il.Emit($opcodes::Stfld, $field)
            $il.Emit($opcodes::Ret)
        }
    }
    $created = @{}
    foreach ($id in $types.Keys) { $created[$id] = $types[$id].CreateType() }
    $created
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

function ConvertFrom-MgExpandedEntity {
    # An expanded navigation property (`manager`, `memberOf`) as the SDK shows one: its
    # declared type is a directory object or another entity, so Id is a property and the rest
    # is in AdditionalProperties (`$u.Manager.AdditionalProperties['displayName']`).
    param([Newtonsoft.Json.Linq.JObject] $Token)
    $rest = ConvertFrom-MgJToken $Token
    $id = $rest['id']
    $rest.Remove('id')
    [pscustomobject]@{ Id = $id; AdditionalProperties = $rest }
}

function ConvertFrom-MgNestedAdditional {
    # Replaces JSON tokens in an object's AdditionalProperties and untyped fields (expanded
    # navigation properties) by hashtables and arrays, as the SDK's dictionaries hold them.
    param([Parameter(Mandatory)] $Item)
    foreach ($f in $Item.GetType().GetFields()) {
        if ($f.FieldType -ne [object]) { continue }
        $v = $f.GetValue($Item)
        if ($v -is [Newtonsoft.Json.Linq.JObject]) { $f.SetValue($Item, (ConvertFrom-MgExpandedEntity $v)) }
        elseif ($v -is [Newtonsoft.Json.Linq.JArray]) {
            $f.SetValue($Item, [object[]]@(foreach ($t in $v) { if ($t -is [Newtonsoft.Json.Linq.JObject]) { ConvertFrom-MgExpandedEntity $t } else { ConvertFrom-MgJToken $t } }))
        }
        elseif ($v -is [Newtonsoft.Json.Linq.JToken]) { $f.SetValue($Item, (ConvertFrom-MgJToken $v)) }
    }
    $additional = $Item.AdditionalProperties
    if ($null -eq $additional) { return }
    # Keys through the enumerator: .Keys would be the value of a member named "keys".
    foreach ($key in @(foreach ($e in $additional.GetEnumerator()) { $e.Key })) {
        if ($additional[$key] -is [Newtonsoft.Json.Linq.JToken]) { $additional[$key] = ConvertFrom-MgJToken $additional[$key] }
    }
}
