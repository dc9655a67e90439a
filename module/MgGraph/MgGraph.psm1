# MgGraph: the module users install and import. The commands live in the SDK-named modules
# beside it (module/ in a checkout, sdk/ in an installed package): the core,
# Microsoft.Graph.Authentication (Connect-MgGraph, Invoke-MgGraphRequest, the compiled engine
# binding and models), and one compiled module per SDK module (Microsoft.Graph.Users, ...).
# Importing MgGraph puts that folder first on PSModulePath for this process, so the SDK's
# module names resolve to MgGraph's copies, and imports the core into the global scope.

Set-StrictMode -Version 3.0
$sdk = if ([System.IO.Directory]::Exists("$PSScriptRoot/sdk")) { "$PSScriptRoot/sdk" } else { [System.IO.Path]::GetDirectoryName($PSScriptRoot) }
$separator = [System.IO.Path]::PathSeparator
if (($env:PSModulePath -split $separator) -notcontains $sdk) { $env:PSModulePath = $sdk + $separator + $env:PSModulePath }
# By path: the core next to this MgGraph, never another version or the SDK's own module.
Import-Module ([System.IO.Path]::Combine($sdk, 'Microsoft.Graph.Authentication', 'Microsoft.Graph.Authentication.psd1')) -Global
