<#
.SYNOPSIS
Runs the Pester suite (the module against the sandbox). Exits non-zero on any failure.

.PARAMETER Path
Test files or folders (default: this folder).

.PARAMETER Tag
Only tests with these tags.
#>
[CmdletBinding()]
param([string[]] $Path = $PSScriptRoot, [string[]] $Tag, [string[]] $ExcludeTag)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# Pester 5 from the repository's CI cache (.ci/setup), else whatever is installed.
$local = Join-Path $PSScriptRoot '../../target/ci/modules'
if (Test-Path $local) { $env:PSModulePath = "$([IO.Path]::GetFullPath($local))$([IO.Path]::PathSeparator)$env:PSModulePath" }
Import-Module Pester -MinimumVersion 5.5.0 -ErrorAction Stop

# The module's files (token cache, interop assembly) go to a scratch directory, not the home.
if (-not $env:MGGRAPH_CACHE_DIR) { $env:MGGRAPH_CACHE_DIR = Join-Path ([IO.Path]::GetTempPath()) "mggraph-tests-$PID" }

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.Exit = $true
$config.Output.Verbosity = 'Detailed'
$config.Should.ErrorAction = 'Continue'
if ($Tag) { $config.Filter.Tag = $Tag }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }
Invoke-Pester -Configuration $config
