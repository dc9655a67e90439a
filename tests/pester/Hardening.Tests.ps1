Set-StrictMode -Version Latest

# Issue 8, the module's side: user values the body writers cannot finish (circular, too deep,
# not JSON) end in an error naming the parameter and the path, never in a dead process; and
# Invoke-MgGraphRequest and input errors raise the SDK's exception types.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'support/TestHelpers.psm1') -Force
    $script:ModulePath = Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'
    Import-Module $script:ModulePath -Force

    function script:Invoke-ChildPwsh {
        # Runs a script in a child pwsh (so a crash or a hang cannot take Pester with it);
        # returns its exit code and everything it wrote. A child still running after
        # $TimeoutSeconds is killed and reported as hung.
        param([string] $Script, [int] $TimeoutSeconds = 300)
        $file = Join-Path ([IO.Path]::GetTempPath()) "mggraph-child-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value ("`$ErrorActionPreference = 'Stop'`nImport-Module '$script:ModulePath'`n" + $Script)
        $command = (Get-PwshCommand).Split(' ')
        $psi = [System.Diagnostics.ProcessStartInfo]::new($command[0])
        foreach ($a in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        try {
            $process = [System.Diagnostics.Process]::Start($psi)
            $stderr = $process.StandardError.ReadToEndAsync()
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $hung = -not $process.WaitForExit($TimeoutSeconds * 1000)
            if ($hung) { $process.Kill($true); $process.WaitForExit() }
            [pscustomobject]@{ ExitCode = $(if ($hung) { 'hung' } else { $process.ExitCode }); Output = $stdout.Result + $stderr.Result }
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe 'Body values the writers cannot finish' {
    It 'refuses circular, too deep and non-JSON values with an error naming the parameter and the path; the process lives' {
        # Before: the cycles overflowed the stack (the process died with no ErrorRecord) and a
        # script block went to ConvertTo-Json -Depth 64, which never returned.
        $child = Invoke-ChildPwsh @'
function Test-Case([string] $Name, [scriptblock] $Block) {
    try { & $Block; "CASE $Name | no error" }
    catch { "CASE $Name | $($_.Exception.GetType().FullName) | $($_.FullyQualifiedErrorId) | $($_.Exception.Message)" }
}
$upn = 'adelev@contoso.onmicrosoft.com'
$h = @{ isUsableOnce = $true }; $h.self = $h
Test-Case 'hashtable' { New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $upn -BodyParameter $h }
Test-Case 'invoke-body' { Invoke-MgGraphRequest -Method POST -Uri '/v1.0/users' -Body $h }
$list = [System.Collections.ArrayList]::new(); $null = $list.Add(1); $null = $list.Add($list)
Test-Case 'arraylist' { Invoke-MgGraphRequest -Method PATCH -Uri '/v1.0/me' -Body @{ list = $list } }
$o = [pscustomobject]@{ a = 1 }; $o | Add-Member -NotePropertyName me -NotePropertyValue $o
Test-Case 'psobject' { New-MgUser -BodyParameter @{ displayName = 'x'; inner = @{ o = $o } } }
$m = @{ x = [pscustomobject]@{ back = $null } }; $m.x.back = $m
Test-Case 'mixed' { Update-MgUser -UserId $upn -AdditionalProperties $m }
$deep = @{}; $cur = $deep; for ($i = 0; $i -lt 500; $i++) { $next = @{}; $cur['a'] = $next; $cur = $next }
Test-Case 'deep' { New-MgUser -DisplayName x -AdditionalProperties $deep }
$deepList = @(1); for ($i = 0; $i -lt 500; $i++) { $deepList = @(, $deepList) }
Test-Case 'deep-list' { Invoke-MgGraphRequest -Method POST -Uri '/v1.0/users' -Body @{ l = $deepList } }
Test-Case 'scriptblock' { New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $upn -BodyParameter @{ isUsableOnce = $true; x = @(1, { 'boom' }) } }
Test-Case 'runspace' { Invoke-MgGraphRequest -Method POST -Uri '/v1.0/users' -Body @{ r = [runspace]::DefaultRunspace } }
Test-Case 'pointer' { Invoke-MgGraphRequest -Uri '/v1.0/me' -Headers @{ 'x-odd key' = [IntPtr]::Zero } }
Test-Case 'batch' { Invoke-MgGraphBatchRequest -Requests @{ Method = 'POST'; Url = '/users'; Body = $h } }
Test-Case 'sandbox-options' { Connect-MgGraph -Environment Sandbox -SandboxOptions @{ LatencyMs = { 1 } } }
Test-Case 'bulk' { $h, $h | New-MgUser -ThrottleLimit 4 }
'survived'
'@
        $child.ExitCode | Should -Be 0 -Because $child.Output
        $child.Output | Should -Match '(?m)^survived'
        $cases = @{}
        foreach ($line in $child.Output -split "`n") { if ($line -match '^CASE (\S+) \| (.*)$') { $cases[$Matches[1]] = $Matches[2].Trim() } }
        $circular = 'is a reference to one of its own containers \(a circular reference\)'
        # -BodyParameter binds to the model first: the undeclared 'self' key is kept in its
        # AdditionalProperties, so the walk meets the table again one level further down.
        $cases['hashtable'] | Should -Match "^System\.ArgumentException \| CircularReference,Microsoft\.Graph\.PowerShell\.Cmdlets\.NewMgUserAuthenticationTemporaryAccessPassMethod \| -BodyParameter: the value at (\.self)+ $circular"
        $cases['invoke-body'] | Should -Match "^System\.ArgumentException \| CircularReference,Microsoft\.Graph\.PowerShell\.Authentication\.Cmdlets\.InvokeMgGraphRequest \| -Body: the value at \.self $circular"
        $cases['arraylist'] | Should -Match "-Body: the value at \.list\[1\] $circular"
        $cases['psobject'] | Should -Match "-BodyParameter: the value at \.inner\.o\.me $circular"
        $cases['mixed'] | Should -Match "-AdditionalProperties: the value at \.x\.back $circular"
        $cases['deep'] | Should -Match "^System\.ArgumentException \| NestedTooDeep,Microsoft\.Graph\.PowerShell\.Cmdlets\.NewMgUser \| -AdditionalProperties: the value is nested deeper than 64 levels at (\.a){64}\.$"
        $cases['deep-list'] | Should -Match '-Body: the value is nested deeper than 64 levels at \.l(\[0\]){63}\.$'
        $cases['scriptblock'] | Should -Match '^System\.ArgumentException \| ValueNotJson,Microsoft\.Graph\.PowerShell\.Cmdlets\.NewMgUserAuthenticationTemporaryAccessPassMethod \| -BodyParameter: the value at \.x\[1\] is a System\.Management\.Automation\.ScriptBlock, which cannot be sent as JSON\.$'
        $cases['runspace'] | Should -Match '-Body: the value at \.r is a System\.Management\.Automation\.Runspaces\.\w*Runspace, which cannot be sent as JSON\.$'
        $cases['pointer'] | Should -Match "-Headers: the value at \['x-odd key'\] is a System\.IntPtr"
        $cases['batch'] | Should -Match "-Requests: the value at \.Body\.self $circular"
        $cases['sandbox-options'] | Should -Match '-SandboxOptions: the value at \.LatencyMs is a System\.Management\.Automation\.ScriptBlock'
        # -BodyParameter binds to the model first: the undeclared 'self' key is kept in
        # AdditionalProperties, so the walk meets the table again one level further down.
        $cases['bulk'] | Should -Match "-BodyParameter: the value at (\.self)+ $circular"
    }

    It 'survives a few thousand generated nested, shared, circular and oversized values, each written as JSON or refused with a path' {
        $child = Invoke-ChildPwsh @'
$random = [System.Random]::new(8)
function New-Value([int] $Depth, [System.Collections.Generic.List[object]] $Containers) {
    $pick = $random.Next(12)
    if ($Depth -le 0 -or $pick -lt 4) {
        switch ($random.Next(9)) {
            0 { return $null } 1 { return 'text "quoted" \ ' + $random.Next() } 2 { return $random.Next(-5, 5) }
            3 { return [double]::NaN } 4 { return $true } 5 { return [datetime]::new(2024, 1, 2) }
            6 { return [guid]::Empty } 7 { return [uri]'https://contoso.example/a b' }
            8 { if ($random.Next(20) -eq 0) { return { 'not json' } } else { return 1.5 } }
        }
    }
    # Now and then, a container already on the way down or built before (circular or shared).
    if ($Containers.Count -gt 0 -and $random.Next(15) -eq 0) { return $Containers[$random.Next($Containers.Count)] }
    if ($Containers.Count -gt 2000) { return 'enough' }
    $width = $random.Next(4)
    $c = switch ($pick % 4) {
        0 { @{} } 1 { [ordered]@{} } 2 { [System.Collections.ArrayList]::new() } 3 { [pscustomobject]@{} }
    }
    $Containers.Add($c)
    for ($i = 0; $i -lt $width; $i++) {
        $child = New-Value ($Depth - $random.Next(1, 3)) $Containers
        if ($c -is [System.Collections.IDictionary]) { $c["k$i"] = $child }
        elseif ($c -is [System.Collections.IList]) { $null = $c.Add($child) }
        else { $c | Add-Member -NotePropertyName "p$i" -NotePropertyValue $child }
    }
    $c
}
$written = 0; $refused = @{}; $bad = 0
for ($n = 0; $n -lt 2000; $n++) {
    $depth = if ($n % 50 -eq 0) { 90 } else { $random.Next(1, 8) }
    $value = @{ root = (New-Value $depth ([System.Collections.Generic.List[object]]::new())) }
    # A long chain now and then, beyond the depth limit.
    if ($n % 97 -eq 0) { $cur = $value; for ($i = 0; $i -lt 100; $i++) { $next = @{}; $cur['d'] = $next; $cur = $next } }
    try {
        $json = [MgGraph.PowerShell.WireValue]::ToJson([MgGraph.PowerShell.WireValue]::Convert($value, $null))
        $null = [Newtonsoft.Json.Linq.JToken]::Parse($json)
        $written++
    }
    catch {
        $record = [MgGraph.PowerShell.WireValue]::ValueErrorRecord($_, 'Body')
        if ($record.Exception.Message -match '^-Body: ') { $refused[$record.FullyQualifiedErrorId] = 1 + [int]$refused[$record.FullyQualifiedErrorId] }
        else { $bad++; "UNEXPECTED $($_.Exception.GetType().FullName): $($_.Exception.Message)" }
    }
}
"written $written"
foreach ($k in $refused.Keys) { "refused $k $($refused[$k])" }
"bad $bad"
'survived'
'@ -TimeoutSeconds 900
        $child.ExitCode | Should -Be 0 -Because $child.Output
        $child.Output | Should -Match '(?m)^survived'
        $child.Output | Should -Match '(?m)^bad 0\s*$' -Because $child.Output
        $child.Output | Should -Match '(?m)^written [1-9]\d*' -Because 'most generated values are valid JSON'
        $child.Output | Should -Match '(?m)^refused CircularReference \d+'
        $child.Output | Should -Match '(?m)^refused NestedTooDeep \d+'
        $child.Output | Should -Match '(?m)^refused ValueNotJson \d+'
    }

    It 'writes shared (not circular) values, objects, URIs, dates and special numbers as before' {
        $shared = @{ a = 1 }
        $value = [ordered]@{
            x = $shared; y = $shared; list = @($shared, $shared); uri = [uri]'https://contoso.example/a b'
            when = [datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc); nan = [double]::NaN; version = [version]'1.2'
        }
        $json = [MgGraph.PowerShell.WireValue]::ToJson([MgGraph.PowerShell.WireValue]::Convert($value, $null))
        $json | Should -BeExactly ('{"x":{"a":1},"y":{"a":1},"list":[{"a":1},{"a":1}],"uri":"https://contoso.example/a b",' +
            '"when":"2024-01-02T03:04:05.0000000Z","nan":"NaN","version":{"Major":1,"Minor":2,"Build":-1,"Revision":-1,"MajorRevision":-1,"MinorRevision":-1}}')
    }

    It 'leaves nothing in the module that hands a value to ConvertTo-Json' {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $PSScriptRoot '../../module/Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psm1'), [ref]$null, [ref]$null)
        $calls = $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] -and $a.GetCommandName() -eq 'ConvertTo-Json' }, $true)
        @($calls) | Should -BeNullOrEmpty
    }
}

Describe 'The SDK''s exception types' {
    BeforeAll { Connect-MgGraph -Environment Sandbox -NoWelcome }

    It 'Invoke-MgGraphRequest raises HttpResponseException with the response' {
        $caught = $null
        try { Invoke-MgGraphRequest -Uri '/v1.0/users/nobody@contoso.com' } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $e = $caught.Exception
        $e.GetType().FullName | Should -Be 'Microsoft.Graph.PowerShell.Authentication.Helpers.HttpResponseException'
        $e | Should -BeOfType ([System.Net.Http.HttpRequestException])
        $e.Message | Should -BeExactly 'Response status code does not indicate success: NotFound (Not Found).'
        $e.Response | Should -BeOfType ([System.Net.Http.HttpResponseMessage])
        $e.Response.StatusCode | Should -Be ([System.Net.HttpStatusCode]::NotFound)
        $e.Response.StatusCode -eq 404 | Should -BeTrue
        $e.StatusCode | Should -Be ([System.Net.HttpStatusCode]::NotFound)
        $e.Response.ReasonPhrase | Should -Be 'Not Found'
        $e.Response.Headers.GetValues('request-id') | Should -Match '^[0-9a-f-]{36}$'
        $e.Response.Content.ReadAsStringAsync().Result | Should -Match '"code":"Request_ResourceNotFound"'
        $e.Response.RequestMessage.Method | Should -Be ([System.Net.Http.HttpMethod]::Get)
        $e.Response.RequestMessage.RequestUri.AbsolutePath | Should -Be '/v1.0/users/nobody@contoso.com'
        $caught.TargetObject | Should -BeOfType ([System.Net.Http.HttpRequestMessage])
        $caught.TargetObject.RequestUri | Should -Be $e.Response.RequestMessage.RequestUri
        # PowerShell appends the function's name to a script function's error id (README).
        $caught.FullyQualifiedErrorId | Should -BeLike 'InvokeGraphHttpResponseException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest*'
        $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $lines = $caught.ErrorDetails.Message -split "`n"
        $lines[0] | Should -Match '^GET http://127\.0\.0\.1:\d+/v1\.0/users/nobody@contoso\.com$'
        $lines[1] | Should -Be 'HTTP/1.1 404 Not Found'
        $caught.ErrorDetails.Message | Should -Match '"code":"Request_ResourceNotFound"'
    }

    It 'is caught by catch [System.Net.Http.HttpRequestException], as scripts written for the SDK do' {
        $status = $null
        try { Invoke-MgGraphRequest -Uri '/v1.0/users/nobody@contoso.com' }
        catch [System.Net.Http.HttpRequestException] { $status = $_.Exception.Response.StatusCode }
        $status | Should -Be 'NotFound'
    }

    It 'raises System.ArgumentException for input refused before sending (-PageSize 1000)' {
        $caught = $null
        try { Get-MgUser -PageSize 1000 } catch { $caught = $_ }
        $caught.Exception | Should -BeOfType ([System.ArgumentException])
        $caught.Exception.Message | Should -BeExactly 'Invalid page size specified `1000`. PageSize must be between 1 and 999 inclusive.'
        { Get-MgUser -PageSize 1000 } | Should -Throw -ExceptionType ([System.ArgumentException])
    }

    It 'New-MgUser and Update-MgUser take -BodyParameter from the pipeline' {
        $upn = "piped-$([guid]::NewGuid().ToString('n').Substring(0, 8))@contoso.onmicrosoft.com"
        $user = @{ displayName = 'Piped'; mailNickname = 'piped'; userPrincipalName = $upn; accountEnabled = $true; passwordProfile = @{ password = 'P@ssw0rd!2345' } } | New-MgUser
        $user.UserPrincipalName | Should -Be $upn
        @{ displayName = 'Piped again' } | Update-MgUser -UserId $user.Id
        (Get-MgUser -UserId $user.Id).DisplayName | Should -Be 'Piped again'
        $set = (Get-Command New-MgUser).Parameters['BodyParameter'].ParameterSets['Create']
        $set.ValueFromPipeline | Should -BeTrue
    }
}
