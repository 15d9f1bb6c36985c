package alibabaiot

import "net/http"

// STS GetCallerIdentity (Security Token Service, version 2015-04-01): "Queries the identity of
// the current caller"; it needs no permission, so any valid credentials may call it. The
// simulator serves it beside the IoT API, at the same address, signed and checked the same
// way, so a client pointed at the simulator learns the account (UID) its key belongs to: RAM
// users of one account share its quotas, and the operator keys its budgets by account.
const (
	ActionGetCallerIdentity = "GetCallerIdentity"
	STSVersion              = "2015-04-01"
)

// callerIdentityResponse is GetCallerIdentity's answer for an AccessKey of a RAM user.
type callerIdentityResponse struct {
	RequestId    string
	AccountId    string
	UserId       string
	PrincipalId  string
	IdentityType string
	Arn          string
}

func (s *Server) getCallerIdentity(req *apiRequest, acct Account) answer {
	userID := "2" + digitsOf(acct.AccessKeyID, 15)
	return answer{status: http.StatusOK, body: callerIdentityResponse{
		RequestId:    req.requestID,
		AccountId:    acct.UID,
		UserId:       userID,
		PrincipalId:  userID,
		IdentityType: "RAMUser",
		Arn:          "acs:ram::" + acct.UID + ":user/" + acct.AccessKeyID,
	}}
}

// digitsOf is n decimal digits derived from s, the same for the same s.
func digitsOf(s string, n int) string {
	out := make([]byte, n)
	h := uint64(14695981039346656037)
	for i := range n {
		for _, c := range []byte(s) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h = (h ^ uint64(i)) * 1099511628211
		out[i] = byte('0' + h%10)
	}
	return string(out)
}
