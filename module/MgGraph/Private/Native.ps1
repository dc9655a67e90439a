# Binds the engine's C functions, once per process, on first use.
#
# No compiler runs: the P/Invoke signatures are emitted with Reflection.Emit (an Add-Type shim
# would cost a Roslyn compile, about a second). The bound type and the shared session handle
# are kept in AppDomain data, so every runspace of the process (for example
# ForEach-Object -Parallel) reuses them and sees the same connection. Nothing of this runs at
# import: the first command that needs the engine pays for it (Initialize-MgEngine).

Set-StrictMode -Version 3.0

$script:MgStatus = @{
    Ok = 0; Pending = 1; Done = 2
    NullArgument = 1001; InvalidUtf8 = 1002; InvalidJson = 1003; InvalidArgument = 1004; InputClosed = 1005
    Runtime = 2001; Cancelled = 4001; Panic = 9001
}

function Get-MgNativeLibraryPath {
    # Finds the engine: MGGRAPH_NATIVE_LIBRARY, then runtimes/<rid>/native in a packaged
    # module, then the repository's target/release and target/debug.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $name = if ($IsWindows) { 'mggraph.dll' } elseif ($IsMacOS) { 'libmggraph.dylib' } else { 'libmggraph.so' }
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $repo = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($script:MgModuleRoot, '..', '..'))
    if ($env:MGGRAPH_NATIVE_LIBRARY) {
        # An explicit path is authoritative: silently using another build would hide mistakes.
        if ([System.IO.File]::Exists($env:MGGRAPH_NATIVE_LIBRARY)) { return [System.IO.Path]::GetFullPath($env:MGGRAPH_NATIVE_LIBRARY) }
        throw [System.IO.FileNotFoundException]::new(
            "MgGraph: MGGRAPH_NATIVE_LIBRARY is set to '$($env:MGGRAPH_NATIVE_LIBRARY)', but no native engine is there.")
    }
    $candidates = [System.Collections.Generic.List[string]]::new()
    $candidates.Add([System.IO.Path]::Combine($script:MgModuleRoot, 'runtimes', "$os-$arch", 'native', $name))
    $candidates.Add([System.IO.Path]::Combine($repo, 'target', 'release', $name))
    $candidates.Add([System.IO.Path]::Combine($repo, 'target', 'debug', $name))
    foreach ($candidate in $candidates) {
        if ([System.IO.File]::Exists($candidate)) { return [System.IO.Path]::GetFullPath($candidate) }
    }
    throw [System.IO.FileNotFoundException]::new(
        "MgGraph: the native engine '$name' for $os-$arch was not found. Looked in: $($candidates -join '; '). " +
        "Build it with 'cargo build --release' in the repository, or set MGGRAPH_NATIVE_LIBRARY to its full path.")
}

function Initialize-MgNative {
    # Returns the type whose static methods are the C functions (emitted on first use).
    [CmdletBinding()]
    param()
    $key = 'MgGraph.Native.v1'
    $existing = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($existing) { return $existing }

    $path = Get-MgNativeLibraryPath
    $assembly = [System.Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly(
        [System.Reflection.AssemblyName]::new('MgGraph.Native'), [System.Reflection.Emit.AssemblyBuilderAccess]::Run)
    $module = $assembly.DefineDynamicModule('MgGraph.Native')
    $builder = $module.DefineType('MgGraph.Native.Methods', [System.Reflection.TypeAttributes]'Public, Abstract, Sealed')
    $ptr = [IntPtr]
    $outPtr = [IntPtr].MakeByRefType()
    $outU32 = [uint32].MakeByRefType()
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
    }
    foreach ($name in $signatures.Keys) {
        $parameters = [type[]]$signatures[$name]
        $method = $builder.DefinePInvokeMethod($name, $path,
            [System.Reflection.MethodAttributes]'Public, Static, PinvokeImpl, HideBySig',
            [System.Reflection.CallingConventions]::Standard, [uint32], $parameters,
            [System.Runtime.InteropServices.CallingConvention]::Cdecl, [System.Runtime.InteropServices.CharSet]::Ansi)
        $method.SetImplementationFlags($method.MethodImplementationFlags -bor [System.Reflection.MethodImplAttributes]::PreserveSig)
        for ($i = 0; $i -lt $parameters.Length; $i++) {
            if ($parameters[$i].IsByRef) { $null = $method.DefineParameter($i + 1, [System.Reflection.ParameterAttributes]::Out, $null) }
        }
    }
    $type = $builder.CreateType()
    [System.AppDomain]::CurrentDomain.SetData($key, $type)
    $type
}

function Get-MgLastNativeError {
    # The engine's message for the last failed call on this thread.
    [CmdletBinding()]
    [OutputType([string])]
    param([uint32] $Status)
    $p = [IntPtr]::Zero
    $null = $script:MgNative::mggraph_last_error([ref]$p)
    if ($p -eq [IntPtr]::Zero) { return "MgGraph engine call failed with status $Status." }
    try { [System.Runtime.InteropServices.Marshal]::PtrToStringUTF8($p) } finally { $null = $script:MgNative::mggraph_string_free($p) }
}

function ConvertTo-MgUtf8 {
    # A NUL-terminated UTF-8 copy of a string, for the C side.
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)
    $count = [System.Text.Encoding]::UTF8.GetByteCount($Text)
    $buffer = [byte[]]::new($count + 1)
    $null = [System.Text.Encoding]::UTF8.GetBytes($Text, 0, $Text.Length, $buffer, 0)
    , $buffer
}

function Initialize-MgSession {
    # The process-wide session handle (never freed: it lives as long as the process).
    [CmdletBinding()]
    param()
    $key = 'MgGraph.Session.v1'
    $handle = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($null -ne $handle) { return [IntPtr]$handle }
    $p = [IntPtr]::Zero
    $status = $script:MgNative::mggraph_session_shared([ref]$p)
    if ($status -ne 0) { throw "MgGraph: could not create the session: $(Get-MgLastNativeError $status)" }
    [System.AppDomain]::CurrentDomain.SetData($key, $p)
    $p
}

function Initialize-MgEngine {
    # Everything the first engine call of this runspace needs: the native binding, the shared
    # session, and the format and type data of the output models. Deferred from import because
    # registering format data makes PowerShell load its whole format database (~200 ms), which
    # a script that never formats output should not pay.
    [CmdletBinding()]
    param()
    if ($script:MgNative) { return }
    # $script:MgNative doubles as the "ready" flag: reset it when a later step fails, so the
    # next call tries again instead of running on half an initialisation.
    $script:MgNative = Initialize-MgNative
    try {
        $script:MgSession = Initialize-MgSession
        $null = Get-MgJsonSettings
    }
    catch {
        $script:MgNative = $null
        throw
    }
    foreach ($file in 'MgGraph.Format.ps1xml', 'MgGraph.Types.ps1xml') {
        $path = [System.IO.Path]::Combine($script:MgModuleRoot, $file)
        try {
            if ($file -like '*Format*') { Update-FormatData -AppendPath $path -ErrorAction Stop }
            else { Update-TypeData -AppendPath $path -ErrorAction Stop }
        }
        catch {
            # Already registered in this runspace (the module was imported again).
            Write-Verbose "MgGraph: $file was already registered: $($_.Exception.Message)"
        }
    }
}
