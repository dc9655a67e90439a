<#
.SYNOPSIS
A stand-in for the system browser in tests: signs in at the sandbox's /authorize page and
follows the redirect back to the loopback listener, as a person in a browser would.

.DESCRIPTION
Set MGGRAPH_BROWSER to "<pwsh> -NoProfile -File <this file>"; the engine calls it with the
authorize URL. MGGRAPH_FAKE_BROWSER_LOGIN names the account to sign in with (default: the
login_hint, else the sandbox's administrator).
#>
param([Parameter(Mandatory)] [string] $Url)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$handler = [System.Net.Http.HttpClientHandler]::new()
$handler.AllowAutoRedirect = $false
$http = [System.Net.Http.HttpClient]::new($handler)
$page = $http.GetAsync($Url).GetAwaiter().GetResult()
if ([int]$page.StatusCode -ne 302) {
    # The sign-in form: submit it.
    $fields = [System.Collections.Generic.Dictionary[string, string]]::new()
    if ($env:MGGRAPH_FAKE_BROWSER_LOGIN) { $fields['login'] = $env:MGGRAPH_FAKE_BROWSER_LOGIN }
    $page = $http.PostAsync($Url, [System.Net.Http.FormUrlEncodedContent]::new($fields)).GetAwaiter().GetResult()
}
if ([int]$page.StatusCode -ne 302) {
    throw "The sign-in did not redirect: $([int]$page.StatusCode) $($page.Content.ReadAsStringAsync().GetAwaiter().GetResult())"
}
$null = $http.GetAsync($page.Headers.Location).GetAwaiter().GetResult()
