# Finds the engine and talks to it: the library path, the shared session, the engine's error
# messages. The C functions themselves are bound by Get-MgInterop (Interop.ps1). The shared
# session handle is kept in AppDomain data, so every runspace of the process (for example
# ForEach-Object -Parallel) sees the same connection. Nothing of this runs at import: the
# first command that needs the engine pays for it (Initialize-MgEngine).

Set-StrictMode -Version 3.0

$script:MgStatus = @{
    Ok = 0; Pending = 1; Done = 2
    NullArgument = 1001; InvalidUtf8 = 1002; InvalidJson = 1003; InvalidArgument = 1004; InputClosed = 1005
    Runtime = 2001; Cancelled = 4001; Panic = 9001
}

function Get-MgNativeLibraryPath {
    # Finds the engine: MGGRAPH_NATIVE_LIBRARY, then runtimes/<rid>/native in a packaged
    # module, then the repository's target/release and target/debug.
    param()
    $name, $os = if ($IsWindows) { 'mggraph.dll', 'win' } elseif ($IsMacOS) { 'libmggraph.dylib', 'osx' } else { 'libmggraph.so', 'linux' }
    if ($env:MGGRAPH_NATIVE_LIBRARY) {
        # An explicit path is authoritative: silently using another build would hide mistakes.
        if ([System.IO.File]::Exists($env:MGGRAPH_NATIVE_LIBRARY)) { return [System.IO.Path]::GetFullPath($env:MGGRAPH_NATIVE_LIBRARY) }
        throw [System.IO.FileNotFoundException]::new(
            "MgGraph: MGGRAPH_NATIVE_LIBRARY is set to '$($env:MGGRAPH_NATIVE_LIBRARY)', but no native engine is there.")
    }
    # Plain strings and one .NET call each: this runs in every fresh process, where each new
    # kind of call costs PowerShell milliseconds.
    $arch = "$([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture)".ToLowerInvariant()
    $root = $script:MgModuleRoot
    $candidates = "$root/runtimes/$os-$arch/native/$name", "$root/../../target/release/$name", "$root/../../target/debug/$name"
    foreach ($candidate in $candidates) {
        if ([System.IO.File]::Exists($candidate)) { return [System.IO.Path]::GetFullPath($candidate) }
    }
    throw [System.IO.FileNotFoundException]::new(
        "MgGraph: the native engine '$name' for $os-$arch was not found. Looked in: $($candidates -join '; '). " +
        "Build it with 'cargo build --release' in the repository, or set MGGRAPH_NATIVE_LIBRARY to its full path.")
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
    # session and the JSON settings. Deferred from import, so that importing stays cheap.
    param()
    if ($script:MgNative) { return }
    # $script:MgNative doubles as the "ready" flag: reset it when a later step fails, so the
    # next call tries again instead of running on half an initialisation.
    $script:MgNative = (Get-MgInterop).Native
    try {
        $script:MgSession = Initialize-MgSession
        $null = Get-MgJsonSettings
    }
    catch {
        $script:MgNative = $null
        throw
    }
}

function Add-MgNativeSecret {
    # Hands a secret to the engine (mggraph_secret_new) and returns the reference a request
    # carries in its place, @{ mggraphSecret = id }; the id is added to $Issued, which the
    # caller frees with Remove-MgNativeSecret once its call is over. The text never becomes a
    # PowerShell string or variable, which Set-PSDebug -Trace 2 would print: a SecureString's
    # characters go through an unmanaged copy zeroed at once; a [string] (an environment
    # variable's value) or a [char[]] (a key's base64) is pinned where it is and passed by
    # address. Parameters are bound without a trace line, so callers pass the value directly.
    param($Secret, [System.Collections.Generic.List[uint64]] $Issued)
    if (-not $script:MgNative) { Initialize-MgEngine }
    $id = [uint64]0
    if ($Secret -is [securestring]) {
        $unmanaged = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Secret)
        try { $status = $script:MgNative::mggraph_secret_new($unmanaged, [uint32]$Secret.Length, [ref]$id) }
        finally { [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($unmanaged) }
    }
    elseif ($Secret -is [string] -or $Secret -is [char[]]) {
        $pinned = [System.Runtime.InteropServices.GCHandle]::Alloc($Secret, [System.Runtime.InteropServices.GCHandleType]::Pinned)
        try { $status = $script:MgNative::mggraph_secret_new($pinned.AddrOfPinnedObject(), [uint32]$Secret.Length, [ref]$id) }
        finally { $pinned.Free() }
    }
    else { throw [System.ArgumentException]::new('MgGraph: a secret must be a SecureString, a string or a char array.') }
    if ($status -ne 0) { throw [System.InvalidOperationException]::new("MgGraph: the engine refused a secret: $(Get-MgLastNativeError $status)") }
    $Issued.Add($id)
    @{ mggraphSecret = $id }
}

function Remove-MgNativeSecret {
    # Frees the secrets Add-MgNativeSecret handed to the engine (it wipes them).
    param([System.Collections.Generic.List[uint64]] $Issued)
    if ($null -eq $Issued -or -not $script:MgNative) { return }
    foreach ($id in $Issued) { $null = $script:MgNative::mggraph_secret_free($id) }
    $Issued.Clear()
}

