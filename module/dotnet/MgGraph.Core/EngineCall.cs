// One engine call and its event stream: output pages, errors, traces, progress and variables
// arrive in order and are written to the command's streams on PowerShell's own thread.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace MgGraph.PowerShell
{
    /// <summary>A started engine call (<c>mggraph_call</c>). Disposing frees it, cancelling it
    /// first when it is still running (a stopped pipeline).</summary>
    public sealed class EngineCall : IDisposable
    {
        private IntPtr _handle;
        private readonly object _gate = new object();

        internal EngineCall(IntPtr handle) { _handle = handle; }

        /// <summary>Cancels the call from any thread (StopProcessing): in-flight requests are
        /// dropped and a waiting <see cref="Pump"/> ends at once.</summary>
        public void Cancel()
        {
            // Under the gate: StopProcessing runs on another thread than the one that frees
            // the call, and a cancel must never reach a call already freed.
            lock (_gate)
            {
                if (_handle != IntPtr.Zero) NativeMethods.mggraph_call_cancel(_handle);
            }
        }

        /// <summary>Pushes one input (a JSON object) into a streaming (bulk) call.</summary>
        /// <exception cref="InvalidOperationException">The engine refused it.</exception>
        public void Push(string json)
        {
            var status = NativeMethods.mggraph_call_push(_handle, NativeMethods.Utf8(json));
            if (status != Status.Ok) throw new InvalidOperationException("MgGraph: " + Engine.LastError(status));
        }

        /// <summary>Declares that no more inputs follow (bulk). Idempotent.</summary>
        public void FinishInput() => NativeMethods.mggraph_call_finish_input(_handle);

        /// <summary>Frees the call (cancelling it when still running).</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                var h = _handle;
                _handle = IntPtr.Zero;
                if (h != IntPtr.Zero) NativeMethods.mggraph_call_free(h);
            }
        }

        /// <summary>Takes the call's events and writes them to <paramref name="cmdlet"/>'s streams.
        /// Returns true when the call is finished, false when <paramref name="noWait"/> found
        /// nothing more ready. <paramref name="modelClass"/>: the output model class (null: plain
        /// JSON values; <c>typeof(int)</c>: plain values, integers as Int32);
        /// <paramref name="responses"/> collects RESPONSE envelopes; <paramref name="capture"/>
        /// collects output instead of writing it.</summary>
        /// <exception cref="PipelineStoppedException">The call was cancelled (Ctrl+C).</exception>
        public bool Pump(Cmdlet cmdlet, Type modelClass, List<string> responses, IList capture, bool noWait)
        {
            var timeout = noWait ? 0u : Engine.WaitSliceMs;
            var nested = false;
            while (true)
            {
                var status = NativeMethods.mggraph_call_next(_handle, timeout, out var kind, out var payload);
                if (status == Status.Pending)
                {
                    if (noWait) return false;
                    if (cmdlet != null && cmdlet.Stopping) throw new PipelineStoppedException();
                    continue;
                }
                if (status == Status.Done) return true;
                if (status == Status.Cancelled) throw new PipelineStoppedException();
                if (status != Status.Ok) throw new OperationCanceledException("MgGraph: " + Engine.LastError(status));
                var text = NativeMethods.TakeString(payload);
                switch (kind)
                {
                    case EventKind.Output:
                        {
                            var items = modelClass == null ? JsonValues.ParseArray(text)
                                : modelClass == typeof(int) ? Int32Values(JsonValues.ParseArray(text))
                                : (IEnumerable)MgJson.DeserializeArray(text, modelClass, nested);
                            nested = false;
                            if (capture != null) foreach (var i in items) capture.Add(i);
                            else cmdlet.WriteObject(items, true);
                            break;
                        }
                    case EventKind.Response:
                        responses?.Add(text);
                        break;
                    case EventKind.Error:
                        {
                            var description = (IDictionary)JsonValues.Parse(text);
                            var record = ErrorRecords.FromDescription(description, null);
                            // Internal calls (no cmdlet) fail as exceptions.
                            if (cmdlet == null) throw record.Exception;
                            if (description["terminating"] is bool t && t) cmdlet.ThrowTerminatingError(record);
                            cmdlet.WriteError(record);
                            break;
                        }
                    case EventKind.Verbose: cmdlet?.WriteVerbose(text); break;
                    case EventKind.Debug: cmdlet?.WriteDebug(text); break;
                    case EventKind.Warning: cmdlet?.WriteWarning(text); break;
                    case EventKind.Information:
                        cmdlet?.WriteInformation(new HostInformationMessage { Message = text }, new[] { "PSHOST" });
                        break;
                    case EventKind.Progress:
                        if (cmdlet != null) WriteProgress(cmdlet, (IDictionary)JsonValues.Parse(text));
                        break;
                    case EventKind.Meta:
                        {
                            var meta = (IDictionary)JsonValues.Parse(text);
                            if (meta.Contains("nestedAdditionalProperties")) nested = true;
                            else if (cmdlet is PSCmdlet ps) SetMetaVariable(ps, meta);
                            break;
                        }
                }
            }
        }

        /// <summary>Integers that fit narrowed to Int32, as the SDK writes a result it types Int32;
        /// anything else unchanged.</summary>
        private static object[] Int32Values(object[] items)
        {
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i] is long l && l >= int.MinValue && l <= int.MaxValue) items[i] = (int)l;
            }
            return items;
        }

        private static void WriteProgress(Cmdlet cmdlet, IDictionary record)
        {
            var progress = new ProgressRecord(1, Convert.ToString(record["activity"]) is { Length: > 0 } a ? a : "MgGraph", "Working");
            if (record["completed"] is bool c && c) progress.RecordType = ProgressRecordType.Completed;
            else
            {
                var status = Convert.ToString(record["status"]);
                if (!string.IsNullOrEmpty(status)) progress.StatusDescription = status;
                if (record["percent"] != null)
                {
                    var percent = Convert.ToInt32(record["percent"], System.Globalization.CultureInfo.InvariantCulture);
                    if (percent >= 0) progress.PercentComplete = Math.Min(percent, 100);
                }
            }
            cmdlet.WriteProgress(progress);
        }

        /// <summary>Sets -CountVariable (global, as the SDK does) or -ResponseHeadersVariable
        /// (the caller's scope).</summary>
        private static void SetMetaVariable(PSCmdlet cmdlet, IDictionary meta)
        {
            var value = meta["value"];
            if (value is IDictionary d)
            {
                var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry e in d)
                {
                    var v = e.Value is object[] list ? Array.ConvertAll(list, x => Convert.ToString(x)) : new[] { Convert.ToString(e.Value) };
                    headers[Convert.ToString(e.Key)] = v;
                }
                value = headers;
            }
            var name = Convert.ToString(meta["variable"]);
            if (Equals(meta["scope"], "global")) cmdlet.SessionState.PSVariable.Set("global:" + name, value);
            else cmdlet.SessionState.PSVariable.Set(name, value);
        }
    }
}
