// Stand-ins for what a user does in a browser, for the sandbox tenant.

using System.Collections;
using System.Management.Automation;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication.Cmdlets
{
    /// <summary>Register-MgSandboxPasskey: signs a sandbox user in with a Temporary Access Pass
    /// and registers a passkey (sandbox only).</summary>
    [Cmdlet(VerbsLifecycle.Register, "MgSandboxPasskey", SupportsShouldProcess = true)]
    [OutputType("Microsoft.Graph.PowerShell.Models.IMicrosoftGraphFido2AuthenticationMethod")]
    public sealed class RegisterMgSandboxPasskey : MgBuiltinCmdlet
    {
        /// <summary>The user's id or user principal name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string UserId { get; set; }

        /// <summary>The pass.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public string TemporaryAccessPass { get; set; }

        /// <summary>The passkey's name.</summary>
        [Parameter(Position = 2)]
        public string DisplayName { get; set; }

        /// <summary>One user per pipeline record.</summary>
        protected override void ProcessRecord()
        {
            if (!Confirm(UserId, "Register a passkey")) return;
            var parameters = new Hashtable { ["UserId"] = UserId, ["TemporaryAccessPass"] = TemporaryAccessPass };
            if (!string.IsNullOrEmpty(DisplayName)) parameters["DisplayName"] = DisplayName;
            InvokeEngine("Register-MgSandboxPasskey", parameters, "fido2AuthenticationMethod");
        }
    }
}
