Set-StrictMode -Version Latest

# The all-cmdlets parameter test (issue 15): every SDK-named module imports, and PowerShell
# builds the parameter metadata of every one of its compiled cmdlets without a conflict (a
# parameter or alias defined twice, a clash with a common parameter, a set without a
# distinguishing parameter...), as binding the cmdlet would. Needs the compiled layer
# (`bash .ci/build`).

BeforeDiscovery {
    $root = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
    $script:Modules = @(Get-ChildItem $root -Directory -Filter 'Microsoft.Graph.*' |
            Where-Object { $_.Name -ne 'Microsoft.Graph.Authentication' -and $_.Name -ne 'Microsoft.Graph.Beta' } |
            Where-Object { (Import-PowerShellDataFile (Join-Path $_.FullName "$($_.Name).psd1")).ContainsKey('RootModule') } |
            ForEach-Object { @{ Name = $_.Name; Path = Join-Path $_.FullName "$($_.Name).psd1" } })
}

BeforeAll {
    $script:ModuleRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../module'))
    $sep = [IO.Path]::PathSeparator
    if (-not ($env:PSModulePath -split $sep -contains $script:ModuleRoot)) {
        $env:PSModulePath = "$($script:ModuleRoot)$sep$env:PSModulePath"
    }
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters +
        [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Compiled cmdlets of <Name>' -ForEach $script:Modules {
    It 'imports as a binary module exporting the manifest''s cmdlets' {
        $manifest = Import-PowerShellDataFile $Path
        $manifest.RootModule | Should -Be "$Name.dll"
        @($manifest.FunctionsToExport).Count | Should -Be 0
        $module = Import-Module $Path -PassThru -Force -ErrorAction Stop
        $module.ModuleType | Should -Be 'Binary'
        $exported = @($module.ExportedCmdlets.Keys | Sort-Object)
        $expected = @($manifest.CmdletsToExport | Where-Object { $_ -ne '*' } | Sort-Object)
        $exported.Count | Should -Be $expected.Count
        @(Compare-Object $exported $expected).Count | Should -Be 0
    }

    It 'every cmdlet''s parameters and sets bind without a conflict' {
        $module = Import-Module $Path -PassThru -ErrorAction Stop
        $failures = [System.Collections.Generic.List[string]]::new()
        foreach ($command in $module.ExportedCmdlets.Values) {
            try {
                if ($command.CommandType -ne 'Cmdlet') { $failures.Add("$($command.Name): a $($command.CommandType)"); continue }
                # Building these is what binding does first: a duplicate name or alias, a
                # clash with a common parameter or an ambiguous set throws here.
                $parameters = $command.Parameters
                $sets = $command.ParameterSets
                if ($sets.Count -lt 1) { $failures.Add("$($command.Name): no parameter set") }
                $default = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].DefaultParameterSetName
                if ($default -and -not ($sets.Name -contains $default)) {
                    $failures.Add("$($command.Name): default set '$default' is not one of its sets")
                }
                foreach ($p in $parameters.Values) {
                    if ($p.IsDynamic) { $failures.Add("$($command.Name): -$($p.Name) is dynamic") }
                }
                if (-not $command.HelpUri) { $failures.Add("$($command.Name): no HelpUri") }
            }
            catch {
                $failures.Add("$($command.Name): $($_.Exception.Message)")
            }
        }
        $failures | Should -BeNullOrEmpty
    }
}
