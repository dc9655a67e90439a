# The engine's C functions and the output model classes, as one .NET assembly.
#
# Both are emitted with Reflection.Emit from the tables in this module: no compiler runs (an
# Add-Type shim would cost a Roslyn compile, about a second). Emitting them from script costs
# a cold process about 250 ms, so on .NET 9 and later the assembly is saved once to the user's
# MgGraph directory (MGGRAPH_CACHE_DIR, else ~/.mggraph), named by the module's build id and
# stamped with the engine's path and the PowerShell version, and later processes load it in a
# few milliseconds. When it cannot be saved or loaded (older .NET, a read-only home,
# MGGRAPH_ASSEMBLY_CACHE=0), it is emitted in memory instead. The result is kept in AppDomain
# data, so every runspace of the process (for example ForEach-Object -Parallel) shares the
# same types and session.

Set-StrictMode -Version 3.0

function Get-MgInterop {
    # @{ Native = the type whose static methods are the C functions; Assembly = the one that
    #    also holds the model classes; Source = where it came from: 'Cache', 'Saved',
    #    'Unsaved' or 'Memory' }, once per process and module build (a newer build imported
    #    with -Force into the same process gets its own classes).
    param()
    $key = "MgGraph.Interop.$script:MgBuildId"
    $existing = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($existing) { return $existing }

    $nativePath = Get-MgNativeLibraryPath
    $origin = Get-MgInteropOrigin $nativePath
    $file = Get-MgInteropCacheFile $origin
    $interop = $null
    if ($file -and [System.IO.File]::Exists($file)) {
        # Code is loaded from here: only from a directory and a file the user owns and no one
        # else can write to. A file someone else owns, in the user's own directory, is emitted
        # again and replaced; in a directory someone else owns, nothing is loaded or saved.
        $owned = Test-MgOwnedByUser ([System.IO.Path]::GetDirectoryName($file)), $file
        if (-not $owned[0]) {
            Write-Verbose "MgGraph: not using the assembly cache '$file': its directory belongs to another user or others can write to it."
            $file = $null
        }
        elseif (-not $owned[1]) {
            Write-Verbose "MgGraph: replacing the assembly cache '$file': it belongs to another user or others can write to it."
        }
        else {
            try {
                $interop = Read-MgInterop ([System.Reflection.Assembly]::Load([System.IO.File]::ReadAllBytes($file))) 'Cache'
                # Made for another engine or PowerShell (a file from elsewhere): emit it again.
                if ($interop.Native::Origin -cne $origin) { $interop = $null }
            }
            catch {
                Write-Verbose "MgGraph: ignoring the unreadable assembly cache '$file': $($_.Exception.Message)"
                $interop = $null
            }
        }
    }
    if (-not $interop -and $file) {
        try {
            $bytes = New-MgInteropImage -NativePath $nativePath
            $interop = Read-MgInterop ([System.Reflection.Assembly]::Load($bytes)) 'Saved'
        }
        catch {
            Write-Verbose "MgGraph: the assembly cache is not used: $($_.Exception.Message)"
            $interop = $null
        }
        if ($interop) {
            # Not being able to keep it (a read-only home) only costs the next process time.
            try { Save-MgInteropImage -Path $file -Bytes $bytes }
            catch { $interop.Source = 'Unsaved'; Write-Verbose "MgGraph: could not save '$file': $($_.Exception.Message)" }
        }
    }
    if (-not $interop) {
        $assembly = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly(
            [System.Reflection.AssemblyName]::new('MgGraph.Interop'), [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
        Add-MgInteropTypes -Module $assembly.DefineDynamicModule('MgGraph.Interop') -NativePath $nativePath
        $interop = Read-MgInterop $assembly 'Memory'
    }
    # Two runspaces may race here: the first one stored wins, so all share one set of types.
    $domain = [System.AppDomain]::CurrentDomain
    [System.Threading.Monitor]::Enter($domain)
    try {
        $stored = $domain.GetData($key)
        if ($stored) { return $stored }
        $domain.SetData($key, $interop)
        $interop
    }
    finally { [System.Threading.Monitor]::Exit($domain) }
}

function Get-MgInteropCacheFile {
    # Where this module's assembly is saved, or $null when it is not to be saved. The name
    # carries the module's build id (a hash of MgGraph.psm1, written by mggraph-codegen) and
    # a hash of the origin, so two PowerShell versions or engines used in turn each keep theirs.
    param([string] $Origin)
    if ($env:MGGRAPH_ASSEMBLY_CACHE -eq '0') { return $null }
    if (-not ('System.Reflection.Emit.PersistedAssemblyBuilder' -as [type])) { return $null }
    # The token cache's directory (TokenCache::locate in src/auth/cache.rs), resolved here
    # because the engine is not bound yet: this file is what binds it.
    $dir = if ($env:MGGRAPH_CACHE_DIR) { $env:MGGRAPH_CACHE_DIR }
    elseif ($env:HOME) { "$env:HOME/.mggraph" }
    elseif ($env:USERPROFILE) { "$env:USERPROFILE/.mggraph" }
    if (-not $dir) { return $null }
    $originHash = [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($Origin)), 0, 4)
    "$dir/MgGraph.Interop.$script:MgBuildId.$($originHash.ToLowerInvariant()).dll"
}

function Test-MgOwnedByUser {
    # For each path, whether the current user owns it and no other user can write to it (code
    # is loaded from there). On Unix: its owner is the process's effective uid and its mode has
    # no group or other write bit, read from the FileSystem provider's UnixStat (.NET has no
    # owner API; the provider API does not load the module behind Get-Item, ~100 ms for a
    # fresh process), for all paths and /proc/<pid> (owned by the process's effective uid;
    # /proc/self is a link owned by root) in one call, as the provider's first use is what
    # costs; elsewhere the process's uid is that of a file it has just created. On Windows: the owner is the user's SID
    # or the token's default owner (Administrators for an elevated administrator).
    param([string[]] $Path)
    if ($IsWindows) {
        $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
        return [bool[]]@(foreach ($p in $Path) {
                $info = if ([System.IO.Directory]::Exists($p)) { [System.IO.DirectoryInfo]::new($p) } else { [System.IO.FileInfo]::new($p) }
                $owner = [System.IO.FileSystemAclExtensions]::GetAccessControl($info).GetOwner([System.Security.Principal.SecurityIdentifier])
                $owner -eq $identity.User -or $owner -eq $identity.Owner
            })
    }
    $probe = $null
    $self = if ($IsLinux) { "/proc/$PID" } else { $probe = [System.IO.Path]::GetTempFileName(); $probe }
    try { $items = $ExecutionContext.InvokeProvider.Item.Get([string[]](@($self) + $Path), $true, $true) }
    finally { if ($probe) { [System.IO.File]::Delete($probe) } }
    $stats = @(foreach ($item in $items) { $item.PSObject.Properties['UnixStat'].Value })
    if ($stats.Count -ne $Path.Count + 1 -or $null -eq $stats[0]) { return [bool[]]::new($Path.Count) }
    $uid = $stats[0].UserId
    # 0o022: group and other write.
    [bool[]]@(for ($i = 1; $i -lt $stats.Count; $i++) { $stats[$i].UserId -eq $uid -and -not ($stats[$i].Mode -band 0x12) })
}

function Get-MgInteropOrigin {
    # What else an assembly is made from besides the module: the engine's path (bound into
    # every P/Invoke) and the PowerShell that emitted it. Stored in the assembly, checked on load.
    param([string] $NativePath)
    "$NativePath|$($PSVersionTable.PSVersion)"
}

function New-MgInteropImage {
    # The assembly as bytes (PersistedAssemblyBuilder, .NET 9+).
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory)] [string] $NativePath)
    $assembly = [System.Reflection.Emit.PersistedAssemblyBuilder]::new(
        [System.Reflection.AssemblyName]::new('MgGraph.Interop'), [object].Assembly)
    Add-MgInteropTypes -Module $assembly.DefineDynamicModule('MgGraph.Interop') -NativePath $NativePath
    $stream = [System.IO.MemoryStream]::new()
    $assembly.Save($stream)
    , $stream.ToArray()
}

function Save-MgInteropImage {
    # Writes the cache file atomically (a temporary file, only the user's, renamed over it).
    # Keeps the files of the few most recent builds (two installed versions used in turn must
    # not evict each other) and removes older ones.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [byte[]] $Bytes, [int] $Keep = 8)
    $dir = [System.IO.Path]::GetDirectoryName($Path)
    if ($IsWindows) { $null = [System.IO.Directory]::CreateDirectory($dir) }
    else {
        $null = [System.IO.Directory]::CreateDirectory($dir, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }
    if (-not (Test-MgOwnedByUser $dir)[0]) { throw "'$dir' belongs to another user or others can write to it" }
    # A name of its own: runspaces of one process may save at the same time.
    $temp = "$Path.$([guid]::NewGuid().ToString('n')).tmp"
    try {
        [System.IO.File]::WriteAllBytes($temp, $Bytes)
        if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($temp, [System.IO.UnixFileMode]'UserRead, UserWrite') }
        [System.IO.File]::Move($temp, $Path, $true)
    }
    finally {
        if ([System.IO.File]::Exists($temp)) { [System.IO.File]::Delete($temp) }
    }
    # Oldest first. (No Sort-Object: its module costs a fresh process ~100 ms to load.)
    $files = [System.IO.DirectoryInfo]::new($dir).GetFiles('MgGraph.Interop.*.dll')
    $written = [datetime[]]@(foreach ($f in $files) { $f.LastWriteTimeUtc })
    [System.Array]::Sort([System.Array]$written, [System.Array]$files)
    $name = [System.IO.Path]::GetFileName($Path)
    for ($i = 0; $i -lt $files.Length - $Keep; $i++) {
        if ($files[$i].Name -eq $name) { continue }
        try { $files[$i].Delete() } catch { Write-Verbose "MgGraph: could not remove '$($files[$i].FullName)'." }
    }
}

function Read-MgInterop {
    # The interop record of a loaded assembly (model classes are looked up when first used).
    param([System.Reflection.Assembly] $Assembly, [string] $Source)
    @{ Native = $Assembly.GetType('MgGraph.Native.Methods', $true); Assembly = $Assembly; Source = $Source }
}

function Add-MgInteropTypes {
    # Defines the native methods and the model classes in a dynamic module.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [System.Reflection.Emit.ModuleBuilder] $Module, [Parameter(Mandatory)] [string] $NativePath)

    $builder = $Module.DefineType('MgGraph.Native.Methods', [System.Reflection.TypeAttributes]'Public, Abstract, Sealed')
    $origin = $builder.DefineField('Origin', [string], [System.Reflection.FieldAttributes]'Public, Static, Literal')
    $origin.SetConstant((Get-MgInteropOrigin $NativePath))
    $ptr = [IntPtr]
    $outPtr = [IntPtr].MakeByRefType()
    $outU32 = [uint32].MakeByRefType()
    $outU64 = [uint64].MakeByRefType()
    $bytes = [byte[]]
    $signatures = [ordered]@{
        mggraph_version           = @($outPtr)
        mggraph_last_error        = @($outPtr)
        mggraph_session_new       = @($bytes, $outPtr)
        mggraph_session_shared    = @($outPtr)
        mggraph_session_free      = @($ptr)
        mggraph_call_start        = @($ptr, $bytes, $outPtr)
        mggraph_call_next         = @($ptr, [uint32], $outU32, $outPtr)
        mggraph_call_push         = @($ptr, $bytes)
        mggraph_call_finish_input = @($ptr)
        mggraph_call_cancel       = @($ptr)
        mggraph_call_free         = @($ptr)
        mggraph_string_free       = @($ptr)
        mggraph_secret_new        = @($ptr, [uint32], $outU64)
        mggraph_secret_free       = @([uint64])
    }
    foreach ($name in $signatures.Keys) {
        $parameters = [type[]]$signatures[$name]
        $method = $builder.DefinePInvokeMethod($name, $NativePath,
            [System.Reflection.MethodAttributes]'Public, Static, PinvokeImpl, HideBySig',
            [System.Reflection.CallingConventions]::Standard, [uint32], $parameters,
            [System.Runtime.InteropServices.CallingConvention]::Cdecl, [System.Runtime.InteropServices.CharSet]::Ansi)
        $method.SetImplementationFlags($method.MethodImplementationFlags -bor [System.Reflection.MethodImplAttributes]::PreserveSig)
        for ($i = 0; $i -lt $parameters.Length; $i++) {
            if ($parameters[$i].IsByRef) { $null = $method.DefineParameter($i + 1, [System.Reflection.ParameterAttributes]::Out, $null) }
        }
    }
    $null = $builder.CreateType()
    Add-MgHttpResponseExceptionType -Module $Module

    # The hand-written models (the seed commands' outputs) are saved with the binding; the
    # generated ones are emitted when first used (Models.ps1).
    $null = Add-MgModelTypes -Module $Module -Models $script:MgModels -Known @{}
}

function Add-MgHttpResponseExceptionType {
    # The SDK's Microsoft.Graph.PowerShell.Authentication.Helpers.HttpResponseException: an
    # HttpRequestException (so `catch [System.Net.Http.HttpRequestException]` catches it, and
    # its StatusCode is set) that carries the HttpResponseMessage as .Response. Only a
    # constructor (message, response) and the property: the module fills in the rest.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [System.Reflection.Emit.ModuleBuilder] $Module)
    $opcodes = [System.Reflection.Emit.OpCodes]
    $responseType = [System.Net.Http.HttpResponseMessage]
    $type = $Module.DefineType('Microsoft.Graph.PowerShell.Authentication.Helpers.HttpResponseException',
        [System.Reflection.TypeAttributes]'Public, Class', [System.Net.Http.HttpRequestException])
    $field = $type.DefineField('response', $responseType, [System.Reflection.FieldAttributes]'Private, InitOnly')

    # base(message, null, response.StatusCode); this.response = response
    $baseCtor = [System.Net.Http.HttpRequestException].GetConstructor([type[]]@([string], [System.Exception], [Nullable[System.Net.HttpStatusCode]]))
    $ctor = $type.DefineConstructor([System.Reflection.MethodAttributes]'Public, HideBySig, SpecialName, RTSpecialName',
        [System.Reflection.CallingConventions]::Standard, [type[]]@([string], $responseType))
    $null = $ctor.DefineParameter(1, [System.Reflection.ParameterAttributes]::None, 'message')
    $null = $ctor.DefineParameter(2, [System.Reflection.ParameterAttributes]::None, 'response')
    $il = $ctor.GetILGenerator()
    $il.Emit($opcodes::Ldarg_0)
    $il.Emit($opcodes::Ldarg_1)
    $il.Emit($opcodes::Ldnull)
    $il.Emit($opcodes::Ldarg_2)
    $il.Emit($opcodes::Callvirt, $responseType.GetProperty('StatusCode').GetGetMethod())
    $il.Emit($opcodes::Newobj, [Nullable[System.Net.HttpStatusCode]].GetConstructor([type[]]@([System.Net.HttpStatusCode])))
    $il.Emit($opcodes::Call, $baseCtor)
    $il.Emit($opcodes::Ldarg_0)
    $il.Emit($opcodes::Ldarg_2)
    $il.Emit($opcodes::Stfld, $field)
    $il.Emit($opcodes::Ret)

    $getter = $type.DefineMethod('get_Response', [System.Reflection.MethodAttributes]'Public, HideBySig, SpecialName',
        $responseType, [type]::EmptyTypes)
    $il = $getter.GetILGenerator()
    $il.Emit($opcodes::Ldarg_0)
    $il.Emit($opcodes::Ldfld, $field)
    $il.Emit($opcodes::Ret)
    $property = $type.DefineProperty('Response', [System.Reflection.PropertyAttributes]::None, $responseType, [type]::EmptyTypes)
    $property.SetGetMethod($getter)
    $null = $type.CreateType()
}
