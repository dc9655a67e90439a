# Shared helpers of the Pester suite: a sandbox server process and secret scanning.
Set-StrictMode -Version Latest

function Get-RepoPath([string] $Relative) {
    [IO.Path]::GetFullPath((Join-Path $PSScriptRoot "../../../$Relative"))
}

function Find-SandboxServer {
    # The mggraph-sandbox binary of this checkout (release first, as the module's engine).
    if ($env:MGGRAPH_SANDBOX_BIN) { return $env:MGGRAPH_SANDBOX_BIN }
    $exe = if ($IsWindows) { 'mggraph-sandbox.exe' } else { 'mggraph-sandbox' }
    foreach ($p in (Get-RepoPath "target/release/$exe"), (Get-RepoPath "target/debug/$exe")) {
        if (Test-Path $p) { return $p }
    }
    throw 'mggraph-sandbox was not built: run cargo build --release'
}

function Start-SandboxServer {
    # Starts mggraph-sandbox on a free loopback port; returns its connection details
    # (BaseUrl, TenantId, ClientId, ClientSecret, Admin, ManagedIdentity) and the process.
    param([string[]] $Arguments = @())
    $psi = [System.Diagnostics.ProcessStartInfo]::new((Find-SandboxServer))
    foreach ($a in @('--listen', '127.0.0.1:0', '--json') + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) { throw "mggraph-sandbox did not start: $($process.StandardError.ReadToEnd())" }
    $info = $line | ConvertFrom-Json
    $info | Add-Member -NotePropertyName Process -NotePropertyValue $process
    $info
}

function Stop-SandboxServer($Server) {
    if ($Server -and -not $Server.Process.HasExited) { $Server.Process.Kill(); $Server.Process.WaitForExit(5000) | Out-Null }
}

function New-SecretCredential([string] $ClientId, [string] $Secret) {
    [pscredential]::new($ClientId, (ConvertTo-SecureString $Secret -AsPlainText -Force))
}

function Get-PwshCommand {
    # A command line that starts PowerShell, by full path (the engine starts it without
    # PowerShell's PATH; a .NET global tool's pwsh is a dll behind the dotnet host).
    $onPath = Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) { return $onPath.Source }
    $native = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if (Test-Path $native) { return $native }
    "$([Environment]::ProcessPath) $(Join-Path $PSHOME 'pwsh.dll')"
}

function Get-BrowserCommand {
    "$(Get-PwshCommand) -NoProfile -File $(Join-Path $PSScriptRoot 'FakeBrowser.ps1')"
}

function Find-Secret {
    # The lines of $Text that hold a secret: one of $Secrets, or anything shaped like a JWT,
    # a refresh token, a device or authorization code of the sandbox.
    param([string] $Text, [string[]] $Secrets = @())
    $patterns = @('eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}', '0\.sandbox\.[A-Za-z0-9~._-]{20,}', '0\.sandbox-code\.', 'DAQABAAEAAA')
    foreach ($s in $Secrets) { if ($s) { $patterns += [regex]::Escape($s) } }
    foreach ($line in ($Text -split "`n")) {
        foreach ($p in $patterns) { if ($line -match $p) { $line.Trim(); break } }
    }
}

function Revoke-SandboxConsent {
    # The in-process sandbox keeps consent as Entra does (each sign-in with -Scopes records it,
    # later tokens carry it): a test that needs a sign-in with no more than it asks for first
    # revokes the administrator's grants, as an administrator would in a tenant.
    Connect-MgGraph -Environment Sandbox -Scopes DelegatedPermissionGrant.ReadWrite.All, User.Read.All -NoWelcome
    $me = (Get-MgUser -UserId (Get-MgContext).Account).Id
    foreach ($grant in @(Get-MgOauth2PermissionGrant -Filter "principalId eq '$me'")) {
        Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grant.Id
    }
    $null = Get-MgGraphRequiredPermission -Clear
}

Export-ModuleMember -Function Revoke-SandboxConsent, Get-PwshCommand, Get-RepoPath, Start-SandboxServer, Stop-SandboxServer, New-SecretCredential, Get-BrowserCommand, Find-Secret
