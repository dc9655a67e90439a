Set-StrictMode -Version Latest

# Issue 17, item 0: a write that was not confirmed is never sent. -Confirm in a host that
# cannot prompt (no UI, -NonInteractive, a runspace, a thread job) ends the command with the
# host's error, and the object is still there afterwards.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
    $script:ModulePath = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'))

    function script:Invoke-Child {
        # Runs a script in a child pwsh -NonInteractive (the process's sandbox tenant is its own);
        # returns the lines it wrote.
        param([string] $Script)
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-confirm-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value ("Import-Module '$script:ModulePath'`nConnect-MgGraph -Environment Sandbox -SandboxOptions @{ Empty = `$true } | Out-Null`n" + $Script)
        try {
            $command = (Get-PwshCommand).Split(' ')
            $exe = $command[0]
            $rest = @($command | Select-Object -Skip 1)
            & $exe @rest -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe '-Confirm where nobody can answer' {
    It 'a generated cmdlet sends nothing in a -NonInteractive host, a runspace without UI and a thread job' {
        $out = Invoke-Child @'
function Test-Kept([string] $Case, [scriptblock] $Remove) {
    $g = New-MgGroup -DisplayName "confirm-$Case" -MailEnabled:$false -MailNickname "confirm$Case" -SecurityEnabled
    $message = try { & $Remove $g.Id; 'no error' } catch { $_.Exception.Message }
    $left = @(Get-MgGroup -Filter "displayName eq 'confirm-$Case'").Count
    "CASE $Case | kept=$left | $message"
}
Test-Kept 'host' { param($id) Remove-MgGroup -GroupId $id -Confirm -ErrorAction Stop }
Test-Kept 'runspace' {
    param($id)
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript('param($id) Remove-MgGroup -GroupId $id -Confirm').AddArgument($id)
        $null = $ps.Invoke()
        if ($ps.Streams.Error.Count) { throw $ps.Streams.Error[0] }
        'no error'
    }
    finally { $ps.Dispose() }
}
Test-Kept 'threadjob' {
    param($id)
    $job = Start-ThreadJob { param($id) Remove-MgGroup -GroupId $id -Confirm } -ArgumentList $id
    $null = Wait-Job $job
    $errors = @($job.ChildJobs[0].Error)
    Remove-Job $job -Force
    if ($errors.Count) { throw $errors[0] }
}
# Confirmed elsewhere: -Confirm:$false still deletes.
$g = New-MgGroup -DisplayName 'confirm-off' -MailEnabled:$false -MailNickname 'confirmoff' -SecurityEnabled
Remove-MgGroup -GroupId $g.Id -Confirm:$false
"CASE off | kept=$(@(Get-MgGroup -Filter "displayName eq 'confirm-off'").Count)"
'@
        $cases = @($out | Where-Object { $_ -like 'CASE *' })
        $cases.Count | Should -Be 4 -Because ($out -join "`n")
        foreach ($case in 'host', 'runspace', 'threadjob') {
            $line = $cases | Where-Object { $_ -like "CASE $case |*" }
            $line | Should -Match 'kept=1' -Because "the DELETE must not be sent ($line)"
            $line | Should -Not -Match 'no error'
            $line | Should -Match 'NonInteractive|prompt|interact|not supported|not implemented|ScriptHalted|halted' -Because $line
        }
        ($cases | Where-Object { $_ -like 'CASE off*' }) | Should -Match 'kept=0'
    }

    It 'hand-written commands with -Confirm change nothing where nobody can answer' {
        $out = Invoke-Child @'
$before = @(Get-MgEnvironment).Count
$message = try { Add-MgEnvironment -Name 'ConfirmTest' -AzureADEndpoint 'https://login.example.test' -GraphEndpoint 'https://graph.example.test' -Confirm -ErrorAction Stop; 'no error' } catch { $_.Exception.Message }
"ENV | added=$(@(Get-MgEnvironment).Count - $before) | $message"
'@
        $line = $out | Where-Object { $_ -like 'ENV |*' }
        $line | Should -Match 'added=0' -Because ($out -join "`n")
        $line | Should -Not -Match 'no error'
    }
}
