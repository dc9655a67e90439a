//! Which words are verbs, and which PowerShell verb an operation's action word becomes.
//!
//! AutoRest picks the action word of a several-word operation method as the first word that is
//! an English verb (`../shared/reference/sdk-generation.md` §3). The set it uses is large;
//! only its members among the words of Graph's operation names matter, and those are in
//! `verbs.txt` (how that list was made is written at its top).

use std::collections::HashSet;
use std::sync::OnceLock;

static VERBS_TXT: &str = include_str!("verbs.txt");

/// True when `word` (lower case) counts as an English verb for action inference.
pub fn is_verb(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        VERBS_TXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
    .contains(word)
}

/// The PowerShell verb for a Pascal-cased action (`Get`, `List`, `AssignLicense`...), or `None`
/// when the action is not in AutoRest's verb mapping (the cmdlet then uses `Invoke`).
pub fn map(action: &str) -> Option<&'static str> {
    Some(match action {
        "Get" | "List" | "Access" | "Acquire" | "Obtain" | "Retrieve" | "Suggest" | "Cat"
        | "Dir" | "Dump" | "Examine" | "Type" => "Get",
        "Create" | "New" | "Generate" | "Make" | "Provision" | "Allocate" | "Regenerate" => "New",
        "Delete" | "Remove" | "Cut" | "Discard" | "Dispose" => "Remove",
        "Update" | "Patch" | "Refresh" | "Replace" | "Reprocess" | "Retarget" | "Reimage"
        | "Upgrade" => "Update",
        "Set" | "Put" | "Assign" | "Configure" | "Failover" => "Set",
        "Add" | "Append" | "Apply" | "Attach" | "Insert" | "Concatenate" => "Add",
        "Check" | "Verify" | "Validate" | "Evaluate" | "Analyze" | "Is" | "Test" => "Test",
        "Cancel" | "End" | "Shutdown" | "PowerOff" | "Stop" => "Stop",
        "Pause" | "Suspend" => "Suspend",
        "Recover" | "Undelete" | "Restore" => "Restore",
        "Unset" | "Wipe" | "Purge" | "Flush" | "Erase" | "Nullify" | "Unmark" | "Clear" => "Clear",
        "Change" | "Rename" => "Rename",
        "Clone" | "Duplicate" | "Replicate" | "Copy" => "Copy",
        "Migrate" | "Transfer" | "Reassociate" | "Name" | "Move" => "Move",
        "Associate" | "Combine" | "Unite" | "Join" => "Join",
        "Discover" | "Locate" | "Find" => "Find",
        "Notify" | "Send" => "Send",
        "Run" | "Trigger" | "Power" | "PowerOn" | "Start" => "Start",
        "Reboot" | "ForceReboot" | "Restart" => "Restart",
        "Authorize" | "Grant" => "Grant",
        "Bypass" | "Jump" | "Skip" => "Skip",
        "Activate" | "Initialize" => "Initialize",
        "Release" | "Publish" => "Publish",
        "Finish" | "Complete" => "Complete",
        "Capture" | "Export" => "Export",
        "Load" | "Import" => "Import",
        "Compile" | "Build" => "Build",
        "Display" | "Produce" | "Show" => "Show",
        "Restrict" | "Secure" | "Lock" => "Lock",
        "Unrestrict" | "Unsecure" | "Unlock" => "Unlock",
        "Resubmit" | "Submit" => "Submit",
        "Separate" | "Split" => "Split",
        "Swap" | "Switch" => "Switch",
        "Synch" | "Synchronize" | "Sync" => "Sync",
        "Generalize" | "Reset" => "Reset",
        "Into" | "Enter" => "Enter",
        "Execute" | "Perform" | "Post" | "Invoke" => "Invoke",
        "Approve" => "Approve",
        "Assert" => "Assert",
        "Backup" => "Backup",
        "Block" => "Block",
        "Checkpoint" => "Checkpoint",
        "Close" => "Close",
        "Compare" => "Compare",
        "Compress" => "Compress",
        "Confirm" => "Confirm",
        "Connect" => "Connect",
        "Convert" => "Convert",
        "ConvertFrom" => "ConvertFrom",
        "ConvertTo" => "ConvertTo",
        "Debug" => "Debug",
        "Deny" => "Deny",
        "Deploy" => "Deploy",
        "Disable" => "Disable",
        "Disconnect" => "Disconnect",
        "Dismount" => "Dismount",
        "Edit" => "Edit",
        "Enable" => "Enable",
        "Exit" => "Exit",
        "Expand" => "Expand",
        "Format" => "Format",
        "Group" => "Group",
        "Hide" => "Hide",
        "Install" => "Install",
        "Limit" => "Limit",
        "Measure" => "Measure",
        "Merge" => "Merge",
        "Mount" => "Mount",
        "Open" => "Open",
        "Optimize" => "Optimize",
        "Out" => "Out",
        "Ping" => "Ping",
        "Pop" => "Pop",
        "Protect" => "Protect",
        "Push" => "Push",
        "Read" => "Read",
        "Receive" => "Receive",
        "Redo" => "Redo",
        "Register" => "Register",
        "Repair" => "Repair",
        "Request" => "Request",
        "Resize" => "Resize",
        "Resolve" => "Resolve",
        "Resume" => "Resume",
        "Revoke" => "Revoke",
        "Save" => "Save",
        "Search" => "Search",
        "Select" => "Select",
        "Step" => "Step",
        "Trace" => "Trace",
        "Unblock" => "Unblock",
        "Undo" => "Undo",
        "Uninstall" => "Uninstall",
        "Unprotect" => "Unprotect",
        "Unpublish" => "Unpublish",
        "Unregister" => "Unregister",
        "Use" => "Use",
        "Wait" => "Wait",
        "Watch" => "Watch",
        "Write" => "Write",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verb_set_and_mapping() {
        // `time`, `license` and `view` are verbs; `reprocess` and `supported` are not (§3).
        assert!(is_verb("time") && is_verb("license") && is_verb("view") && is_verb("get"));
        assert!(!is_verb("reprocess") && !is_verb("supported") && !is_verb("user"));
        assert_eq!(map("Assign"), Some("Set"));
        assert_eq!(map("Check"), Some("Test"));
        assert_eq!(map("Forward"), None);
    }
}
