Set-StrictMode -Version Latest

# The in-process sandbox's query engine as PowerShell meets it: a filter too deep or too large
# is Graph's 400 as an ErrorRecord, never the end of the host process (issue 8, item 1a).

Describe 'Oversized filters against the in-process sandbox' {
    It 'a 1,500-deep filter and a 10,000-term chain are errors, and the host lives on' {
        $module = Join-Path $PSScriptRoot '../../module/MgGraph/MgGraph.psd1'
        $script = @"
Set-StrictMode -Version Latest
Import-Module '$module'
Connect-MgGraph -Environment Sandbox | Out-Null
`$deep = ('(' * 1500) + "displayName eq 'x'" + (')' * 1500)
try { Get-MgUser -Filter `$deep -ErrorAction Stop; 'no error' } catch { 'deep: ' + `$_.Exception.Message }
`$chain = (@("displayName eq 'x'") * 10000) -join ' and '
`$r = Invoke-MgGraphRequest -Method POST -Uri '/v1.0/`$batch' -Body @{ requests = @(@{ id = '1'; method = 'GET'; url = '/users?`$filter=' + [uri]::EscapeDataString(`$chain) }) }
'batch: ' + `$r.responses[0].status
'alive: ' + @(Get-MgUser -Top 1).Count
"@
        $out = pwsh -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match 'deep: .*Max allowed'
        $out | Should -Match 'batch: 400'
        $out | Should -Match 'alive: 1'
    }
}
