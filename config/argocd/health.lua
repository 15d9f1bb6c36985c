-- Argo CD health check of IoTProduct and FlipsnackFeed (prodlife.dev/v1alpha1).
--
-- It reads the operator's status contract, the same truth that kstatus (Flux) and
-- `kubectl wait --for=condition=Ready` read: status.observedGeneration and the conditions
-- Ready, Reconciling and Stalled; and Paused (the annotation prodlife.dev/paused), shown as
-- Suspended. The message is the one of the condition that decided.
--
-- Only Lua's base and table libraries are used: Argo CD runs a health script from argocd-cm
-- without the string library unless useOpenLibs is set for the kind.

local function findCondition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function isTrue(condition)
  return condition ~= nil and condition.status == "True"
end

local function describe(condition)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return condition.reason
end

local hs = {}
local ready = findCondition("Ready")
local reconciling = findCondition("Reconciling")
local stalled = findCondition("Stalled")
local paused = findCondition("Paused")

if isTrue(paused) then
  -- The annotation prodlife.dev/paused stops the operator: nothing it reports is current.
  hs.status = "Suspended"
  hs.message = describe(paused)
elseif ready == nil then
  -- Just applied: the operator has not reported on this object yet.
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report on this resource"
elseif obj.status.observedGeneration ~= obj.metadata.generation then
  -- The conditions describe an older spec.
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to act on generation " .. obj.metadata.generation
elseif isTrue(stalled) then
  -- Only a person can unblock it. NotFound means the product this resource stands for is
  -- gone from the platform (deleted outside the operator, or never there to observe).
  if ready.reason == "NotFound" then
    hs.status = "Missing"
  else
    hs.status = "Degraded"
  end
  hs.message = describe(stalled)
elseif isTrue(reconciling) then
  -- Creating, updating, deleting, or retrying a failure that may pass (throttling, 5xx).
  hs.status = "Progressing"
  hs.message = describe(reconciling)
elseif isTrue(ready) then
  hs.status = "Healthy"
  hs.message = describe(ready)
else
  hs.status = "Progressing"
  hs.message = describe(ready)
end
return hs
