-- Argo CD health check for OperationPolicy and SecurityPolicy (deckhouse.io), from the operator's
-- Ready condition. Install it in argocd-cm under both keys (README "GitOps"):
--   resource.customizations.health.deckhouse.io_OperationPolicy
--   resource.customizations.health.deckhouse.io_SecurityPolicy
-- Healthy: Ready=True for the current generation. Progressing: no status yet, a status of an
-- older generation, or Ready=False with reason Pending (Gatekeeper still creating templates).
-- Degraded: Ready=False otherwise (Invalid, ApplyFailed, Unsupported): the message says why.
-- Uses only what Argo CD's Lua VM provides (base and table; no string library).
-- Tested with gopher-lua against statuses written by the real operator (test/e2e/install.test.ts).
local hs = {}
local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local ready = nil
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for admission-policy-engine to compile the policy"
  return hs
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for admission-policy-engine to compile the latest change"
  return hs
end
local message = ready.message
if message == nil then
  message = ""
end
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and ready.reason ~= "Pending" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
if ready.reason ~= nil then
  hs.message = ready.reason .. ": " .. message
else
  hs.message = message
end
return hs
