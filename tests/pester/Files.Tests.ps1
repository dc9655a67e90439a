Set-StrictMode -Version Latest

# Issue 17 item 2, the module's side: -InFile, -OutFile, -InputFilePath and -OutputFilePath
# take regular files of the file system only, Graph's size limits stop an upload before it is
# sent, photos still go and come back through the sandbox, and Ctrl+C stops an upload at once
# leaving the engine usable. (The 2 GiB memory figure is tests/files.rs's.)

BeforeAll {
    $script:ModulePath = Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'
    Import-Module $script:ModulePath -Force
    Connect-MgGraph -Environment Sandbox -SandboxOptions @{} -NoWelcome
    $script:Admin = (Get-MgUser -UserId 'admin@contoso.onmicrosoft.com').Id
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "mggraph-files-$([guid]::NewGuid().ToString('n'))"
    $null = New-Item -ItemType Directory -Path $script:Dir

    function script:New-SparseFile([string] $Name, [long] $Length) {
        $path = Join-Path $script:Dir $Name
        $stream = [IO.File]::Create($path)
        try { $stream.SetLength($Length) } finally { $stream.Dispose() }
        $path
    }

    # The error a command raised: its exception and FullyQualifiedErrorId.
    function script:Get-Failure([scriptblock] $Command) {
        try { & $Command; $null }
        catch { $_ }
    }

    $script:Fifo = Join-Path $script:Dir 'fifo'
    & mkfifo $script:Fifo
    $script:NotRegular = @(
        @{ Path = '/dev/zero'; Why = 'character device' }
        @{ Path = $script:Fifo; Why = 'FIFO' }
        @{ Path = $script:Dir; Why = 'a directory' }
        @{ Path = (Join-Path $script:Dir 'missing.bin'); Why = 'does not exist' }
    )
}

AfterAll {
    Remove-Item -Recurse -Force $script:Dir -ErrorAction SilentlyContinue
    Disconnect-MgGraph -ErrorAction SilentlyContinue | Out-Null
}

Describe 'Files that are not regular files' {
    It '-InFile refuses <Why> with a terminating ArgumentException naming InFile' -ForEach @(
        @{ Why = 'character device' }
        @{ Why = 'FIFO' }
        @{ Why = 'a directory' }
        @{ Why = 'does not exist' }
    ) {
        $target = ($script:NotRegular | Where-Object Why -EQ $Why).Path
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $e = Get-Failure { Set-MgUserPhotoContent -UserId $script:Admin -InFile $target -ErrorAction Stop }
        $watch.Stop()
        $e | Should -Not -BeNullOrEmpty
        $e.Exception | Should -BeOfType [ArgumentException]
        $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'InFile'.*$Why*"
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        # Refused from metadata: nothing opened, so a FIFO cannot hang the call.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
    }

    It '-InputFilePath refuses <Why> with an ArgumentException naming InputFilePath' -ForEach @(
        @{ Why = 'character device' }
        @{ Why = 'FIFO' }
        @{ Why = 'a directory' }
        @{ Why = 'does not exist' }
    ) {
        $target = ($script:NotRegular | Where-Object Why -EQ $Why).Path
        $e = Get-Failure { Invoke-MgGraphRequest -Method PUT -Uri "/v1.0/users/$($script:Admin)/photo/`$value" -InputFilePath $target }
        $e | Should -Not -BeNullOrEmpty
        $e.Exception | Should -BeOfType [ArgumentException]
        $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'InputFilePath'.*$Why*"
    }

    It '-OutFile and -OutputFilePath never replace a directory or a device' {
        foreach ($target in $script:Dir, '/dev/null') {
            $e = Get-Failure { Get-MgUserPhotoContent -UserId $script:Admin -OutFile $target -ErrorAction Stop }
            $e.Exception | Should -BeOfType [ArgumentException]
            $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'OutFile'.*"
        }
        $e = Get-Failure { Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputFilePath '/dev/null' }
        $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'OutputFilePath'.*character device*"
    }

    It 'paths of other providers are refused for all four parameters' {
        $checks = @(
            @{ Name = 'InFile'; Run = { param($p) Set-MgUserPhotoContent -UserId $script:Admin -InFile $p -ErrorAction Stop } }
            @{ Name = 'OutFile'; Run = { param($p) Get-MgUserPhotoContent -UserId $script:Admin -OutFile $p -ErrorAction Stop } }
            @{ Name = 'InputFilePath'; Run = { param($p) Invoke-MgGraphRequest -Method PUT -Uri "/v1.0/users/$($script:Admin)/photo/`$value" -InputFilePath $p } }
            @{ Name = 'OutputFilePath'; Run = { param($p) Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)" -OutputFilePath $p } }
        )
        foreach ($check in $checks) {
            foreach ($path in 'env:PATH', 'function:prompt') {
                $e = Get-Failure { & $check.Run $path }
                $e | Should -Not -BeNullOrEmpty -Because "-$($check.Name) $path"
                $e.Exception | Should -BeOfType [ArgumentException]
                $e.Exception.Message | Should -BeLike "-$($check.Name): '$path' is not a file-system path*"
            }
        }
    }
}

Describe "Graph's size limits" {
    It 'a profile photo over 4 MB is refused naming InFile and the limit; exactly 4 MB goes' {
        $over = New-SparseFile 'over.jpg' (4MB + 1)
        $e = Get-Failure { Set-MgUserPhotoContent -UserId $script:Admin -InFile $over -ErrorAction Stop }
        $e.Exception | Should -BeOfType [ArgumentException]
        $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'InFile'.*4,194,305 bytes*4 MB*Nothing was sent*"
        $e = Get-Failure { Invoke-MgGraphRequest -Method PUT -Uri "/v1.0/users/$($script:Admin)/photo/`$value" -InputFilePath $over }
        $e.Exception.Message | Should -BeLike "Cannot validate argument on parameter 'InputFilePath'.*4 MB*"
        $limit = New-SparseFile 'limit.jpg' 4MB
        Set-MgUserPhotoContent -UserId $script:Admin -InFile $limit -ErrorAction Stop
    }
}

Describe 'Round trips through the sandbox' {
    It '-InFile uploads and -OutFile downloads the same bytes, replacing the previous file' {
        $bytes = [byte[]]::new(300KB)
        [Random]::new(7).NextBytes($bytes)
        $in = Join-Path $script:Dir 'photo.bin'
        $out = Join-Path $script:Dir 'photo.out'
        [IO.File]::WriteAllBytes($in, $bytes)
        Set-Content -Path $out -Value 'previous'
        Set-MgUserPhotoContent -UserId $script:Admin -InFile $in -ErrorAction Stop
        Get-MgUserPhotoContent -UserId $script:Admin -OutFile $out -ErrorAction Stop
        # Compared as base64: Should -Be walks a 300 KB array item by item.
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($out)) | Should -BeExactly ([Convert]::ToBase64String($bytes))
        @(Get-ChildItem -Force $script:Dir -Filter '*.part').Count | Should -Be 0
    }

    It '-InputFilePath uploads and -OutputFilePath (-PassThru) downloads the same bytes' {
        $bytes = [byte[]]::new(100KB)
        [Random]::new(8).NextBytes($bytes)
        $in = Join-Path $script:Dir 'raw.bin'
        $out = Join-Path $script:Dir 'raw.out'
        [IO.File]::WriteAllBytes($in, $bytes)
        Invoke-MgGraphRequest -Method PUT -Uri "/v1.0/users/$($script:Admin)/photo/`$value" -InputFilePath $in -ContentType 'image/jpeg'
        $back = Invoke-MgGraphRequest -Uri "/v1.0/users/$($script:Admin)/photo/`$value" -OutputFilePath $out -PassThru
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($out)) | Should -BeExactly ([Convert]::ToBase64String($bytes))
        ($back -is [byte[]]) | Should -BeTrue
        [Convert]::ToBase64String([byte[]]$back) | Should -BeExactly ([Convert]::ToBase64String($bytes))
    }
}

Describe 'Ctrl+C during an upload' {
    It 'stops a streaming upload within seconds, and later calls work' {
        # A Graph endpoint that accepts the connection and never reads: the upload fills the
        # socket's buffers and waits, as on a very slow link.
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $ps = $null
        try {
            $base = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
            $accepted = $listener.AcceptTcpClientAsync()
            Add-MgEnvironment -Name SlowFiles -AzureADEndpoint $base -GraphEndpoint $base | Out-Null
            Connect-MgGraph -Environment SlowFiles -AccessToken (ConvertTo-SecureString 'token' -AsPlainText -Force) -NoWelcome
            $file = New-SparseFile 'slow.bin' 1GB
            $ps = [PowerShell]::Create()
            $null = $ps.AddScript("Import-Module '$script:ModulePath'; Invoke-MgGraphRequest -Method PUT -Uri '$base/v1.0/upload' -InputFilePath '$file'")
            $running = $ps.BeginInvoke()
            $accepted.Wait(60000) | Should -BeTrue -Because 'the upload connects'
            Start-Sleep -Seconds 1
            $running.IsCompleted | Should -BeFalse -Because 'the upload is still under way'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            Write-Host ("    Stop() of a streaming 1 GiB upload returned in {0:N0} ms" -f $watch.Elapsed.TotalMilliseconds)
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'

            # The engine let go of the connection.
            $client = $accepted.Result
            $client.ReceiveTimeout = 5000
            $stream = $client.GetStream()
            $buffer = [byte[]]::new(1MB)
            $closed = $false
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not $closed -and [DateTime]::UtcNow -lt $deadline) {
                try { $closed = $stream.Read($buffer, 0, $buffer.Length) -eq 0 } catch { $closed = $true }
            }
            $closed | Should -BeTrue -Because 'the cancelled upload closed its connection'
            $client.Dispose()
        }
        finally {
            if ($ps) { $ps.Dispose() }
            $listener.Stop()
        }
        # The same process's engine goes on.
        Connect-MgGraph -Environment Sandbox -SandboxOptions @{} -NoWelcome
        (Get-MgUser -UserId 'admin@contoso.onmicrosoft.com' -ErrorAction Stop).Id | Should -Not -BeNullOrEmpty
    }
}
